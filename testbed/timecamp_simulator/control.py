"""The /_simulator control plane: drive a simulator from another process, no token needed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from timecamp_simulator.data import stamp
from timecamp_simulator.faults import Fault
from timecamp_simulator.response import Response, error
from timecamp_simulator.store import DeletionStamp

if TYPE_CHECKING:
    from timecamp_simulator.account import ObjectKind
    from timecamp_simulator.simulator import Simulator

Params = dict[str, list[str]]
_Handler = Callable[[re.Match[str], Any], Response]


def _ok(value: Any, status: int = 200) -> Response:
    return Response(status, value, force_json=True)


class ControlApi:
    """JSON-in, JSON-out mirror of the Simulator's Python API."""

    def __init__(self, simulator: Simulator) -> None:
        """Control the given simulator."""
        self.sim = simulator
        r = re.compile
        self._routes: list[tuple[str, re.Pattern[str], _Handler]] = [
            ("GET", r(r"/?|/health|/config"), self._config),
            ("GET", r(r"/truth"), self._truth),
            ("GET", r(r"/entries/(\d+)"), self._get_entry),
            ("POST", r(r"/entries/(\d+)"), self._edit_entry),
            ("DELETE", r(r"/entries/(\d+)"), self._delete_entry),
            ("POST", r(r"/entries/(\d+)/restore"), self._restore_entry),
            ("POST", r(r"/entries"), self._add_entry),
            ("GET", r(r"/timers"), self._timers),
            ("POST", r(r"/timers/(\d+)/stop"), self._stop_timer),
            ("GET", r(r"/clock"), self._clock),
            ("POST", r(r"/clock"), self._advance_clock),
            ("GET", r(r"/faults"), self._faults),
            ("POST", r(r"/faults"), self._add_fault),
            ("DELETE", r(r"/faults"), self._clear_faults),
            ("GET", r(r"/requests"), self._requests),
            ("DELETE", r(r"/requests"), self._clear_requests),
            ("GET", r(r"/distance"), self._distance),
            ("POST", r(r"/distance"), self._set_distance),
            ("DELETE", r(r"/distance/tally"), self._reset_distance_tally),
            ("POST", r(r"/users/(\d+)/group"), self._move_user),
            ("DELETE", r(r"/(user|group|task|tag_list|tag)s/(\d+)"), self._delete_object),
            ("POST", r(r"/auth"), self._auth),
            ("POST", r(r"/approvals/(\d+)"), self._set_approval_status),
            ("DELETE", r(r"/approvals/(\d+)"), self._remove_approval),
            ("POST", r(r"/attendance/(\d+)/(\d{4}-\d{2}-\d{2})"), self._edit_attendance),
            ("DELETE", r(r"/attendance/(\d+)/(\d{4}-\d{2}-\d{2})"), self._remove_attendance),
            ("POST", r(r"/expenses/(\d+)"), self._edit_expense),
            ("DELETE", r(r"/activities/(\d+)"), self._remove_activity),
            ("DELETE", r(r"/custom-fields/(user|task)/(\d+)/(\d+)"), self._unassign_custom_field),
            ("DELETE", r(r"/custom-field-templates/(\d+)"), self._remove_custom_field_template),
        ]

    def handle(self, method: str, path: str, params: Params, body: bytes) -> Response:
        """Answer one control request; errors come back as {"message": ...} JSON."""
        del params
        known_path = False
        for verb, pattern, handler in self._routes:
            match = pattern.fullmatch(path.rstrip("/") or "/")
            if match is None:
                continue
            known_path = True
            if verb != method:
                continue
            try:
                payload = json.loads(body) if body.strip() else {}
                response = handler(match, payload)
            except KeyError as exc:
                response = error(404, str(exc.args[0]) if exc.args else "not found")
            except (ValueError, TypeError) as exc:
                response = error(400, str(exc))
            response.force_json = True
            return response
        response = error(405 if known_path else 404, f"no control route {method} {path}")
        response.force_json = True
        return response

    def _config(self, _m: re.Match[str], _b: Any) -> Response:
        sim = self.sim
        return _ok(
            {
                "status": "ok",
                "seed": sim.seed,
                "entries": sim.layout.count + len(sim.running_timers()),
                "start_date": sim.start_date.isoformat(),
                "end_date": sim.end_date.isoformat(),
                "users": [u.user_id for u in sim.catalog.users],
                "now": stamp(sim.now),
                "auth_failure": sim.auth_failure,
            }
        )

    def _truth(self, _m: re.Match[str], _b: Any) -> Response:
        return Response(items=self.sim.all_entries(), json_lines=True, force_json=True)

    def _get_entry(self, m: re.Match[str], _b: Any) -> Response:
        entry = self.sim.get_entry(int(m.group(1)))
        return _ok(entry) if entry is not None else error(404, f"no entry {m.group(1)}")

    def _edit_entry(self, m: re.Match[str], body: Any) -> Response:
        if not isinstance(body, dict):
            raise TypeError("body must be a JSON object of changes")
        return _ok(self.sim.edit_entry(int(m.group(1)), **body))

    def _delete_entry(self, m: re.Match[str], body: Any) -> Response:
        if not isinstance(body, dict):
            raise TypeError('body must be empty or {"edited": ...}')
        edited = body.get("edited", DeletionStamp.NOW)
        self.sim.delete_entry(int(m.group(1)), edited)
        return _ok({"deleted": int(m.group(1))})

    def _restore_entry(self, m: re.Match[str], _b: Any) -> Response:
        return _ok(self.sim.restore_entry(int(m.group(1))))

    def _add_entry(self, _m: re.Match[str], body: Any) -> Response:
        raw_date = body.get("entry_date") or body.get("date")
        entry = self.sim.add_entry(
            user_id=int(body["user_id"]) if body.get("user_id") is not None else None,
            entry_date=date.fromisoformat(raw_date) if raw_date else None,
            duration=int(body.get("duration", 1800)),
            description=str(body.get("description", "Added by a test")),
            task_id=int(body["task_id"]) if body.get("task_id") is not None else None,
        )
        return _ok(entry, 201)

    def _timers(self, _m: re.Match[str], _b: Any) -> Response:
        return _ok(self.sim.running_timers())

    def _stop_timer(self, m: re.Match[str], _b: Any) -> Response:
        return _ok(self.sim.stop_timer(int(m.group(1))))

    def _clock(self, _m: re.Match[str], _b: Any) -> Response:
        return _ok({"now": stamp(self.sim.now)})

    def _advance_clock(self, _m: re.Match[str], body: Any) -> Response:
        seconds = body.get("advance_seconds", body.get("seconds"))
        if seconds is None:
            raise ValueError('send {"advance_seconds": N}')
        self.sim.advance_clock(timedelta(seconds=float(seconds)))
        return _ok({"now": stamp(self.sim.now)})

    def _faults(self, _m: re.Match[str], _b: Any) -> Response:
        return _ok([f.to_json() for f in self.sim.faults.active()])

    def _add_fault(self, _m: re.Match[str], body: Any) -> Response:
        faults = body if isinstance(body, list) else [body]
        for item in faults:
            self.sim.add_fault(Fault.from_json(item))
        return _ok({"added": len(faults)}, 201)

    def _clear_faults(self, _m: re.Match[str], _b: Any) -> Response:
        self.sim.clear_faults()
        return _ok({"cleared": True})

    def _requests(self, _m: re.Match[str], _b: Any) -> Response:
        return _ok([r.to_json() for r in self.sim.requests])

    def _clear_requests(self, _m: re.Match[str], _b: Any) -> Response:
        self.sim.clear_requests()
        return _ok({"cleared": True})

    def _distance(self, _m: re.Match[str], _b: Any) -> Response:
        distance = self.sim.distance
        tally = distance.tally()
        return _ok(
            {
                "latency_ms": distance.latency.fixed * 1000,
                "latency_per_kib_ms": distance.latency.per_kib * 1000,
                "rate_limit": distance.rate_limit or 0,
                "answers": tally.answers,
                "waited_seconds": tally.waited,
                "throttled": tally.throttled,
            }
        )

    def _set_distance(self, m: re.Match[str], body: Any) -> Response:
        self.sim.set_distance(
            latency=float(body.get("latency_ms", 0)) / 1000,
            latency_per_kib=float(body.get("latency_per_kib_ms", 0)) / 1000,
            rate_limit=int(body.get("rate_limit", 0)),
        )
        return self._distance(m, body)

    def _reset_distance_tally(self, m: re.Match[str], body: Any) -> Response:
        self.sim.distance.reset_tally()
        return self._distance(m, body)

    def _move_user(self, m: re.Match[str], body: Any) -> Response:
        self.sim.move_user(int(m.group(1)), int(body["group_id"]))
        return _ok({"user_id": int(m.group(1)), "group_id": int(body["group_id"])})

    def _delete_object(self, m: re.Match[str], _b: Any) -> Response:
        # The route's pattern admits only the kinds there are.
        deleted = self.sim.delete_object(cast("ObjectKind", m.group(1)), int(m.group(2)))
        return _ok({"kind": m.group(1), "deleted": deleted})

    def _auth(self, _m: re.Match[str], body: Any) -> Response:
        self.sim.set_auth_failure(body["mode"])
        return _ok({"auth_failure": self.sim.auth_failure})

    def _set_approval_status(self, m: re.Match[str], body: Any) -> Response:
        self.sim.set_approval_status(int(m.group(1)), int(body["status"]))
        return _ok({"approval_id": int(m.group(1)), "status": int(body["status"])})

    def _edit_attendance(self, m: re.Match[str], body: Any) -> Response:
        if not isinstance(body, dict):
            raise TypeError("body must be a JSON object of changes")
        day = date.fromisoformat(m.group(2))
        return _ok(self.sim.edit_attendance(int(m.group(1)), day, **body))

    def _remove_approval(self, m: re.Match[str], _b: Any) -> Response:
        self.sim.remove_approval(int(m.group(1)))
        return _ok({"removed": int(m.group(1))})

    def _remove_attendance(self, m: re.Match[str], _b: Any) -> Response:
        self.sim.remove_attendance(int(m.group(1)), date.fromisoformat(m.group(2)))
        return _ok({"user_id": int(m.group(1)), "removed": m.group(2)})

    def _remove_activity(self, m: re.Match[str], body: Any) -> Response:
        if not isinstance(body, dict) or not {"end_time", "window_title_id"} <= body.keys():
            raise TypeError('body must be {"end_time": "...", "window_title_id": N}')
        user_id, window_title_id = int(m.group(1)), int(body["window_title_id"])
        self.sim.remove_computer_activity(user_id, str(body["end_time"]), window_title_id)
        return _ok({"user_id": user_id, "removed": body["end_time"]})

    def _unassign_custom_field(self, m: re.Match[str], _b: Any) -> Response:
        resource_type, resource_id, template_id = m.group(1), int(m.group(2)), int(m.group(3))
        self.sim.unassign_custom_field(resource_type, resource_id, template_id)
        return _ok({"resource_id": resource_id, "unassigned": template_id})

    def _remove_custom_field_template(self, m: re.Match[str], _b: Any) -> Response:
        self.sim.remove_custom_field_template(int(m.group(1)))
        return _ok({"removed": int(m.group(1))})

    def _edit_expense(self, m: re.Match[str], body: Any) -> Response:
        if not isinstance(body, dict):
            raise TypeError("body must be a JSON object of changes")
        return _ok(self.sim.edit_expense(int(m.group(1)), **body))
