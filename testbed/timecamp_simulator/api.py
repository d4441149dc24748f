"""The TimeCamp endpoints under /third_party/api, answering with the real API's shapes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from timecamp_simulator.catalog import Application, Catalog, Tag, Task, User
from timecamp_simulator.data import EntryLayout, mix64, stamp
from timecamp_simulator.response import Response, error
from timecamp_simulator.store import EntryFilter, EntryStore

Params = dict[str, list[str]]
Handler = Callable[[re.Match[str], Params], Response]
MAX_ACTIVITY_DATES = 20
# Real window titles are full of typographic punctuation; keep it.
_WINDOW_TITLES = [
    "Inbox (3) — Outlook", "main.py - tap-timecamp - Visual Studio Code", "#general | Slack",
    "Zażółć gęślą jaźń.docx", "Budget \"Q3\" & forecast.xlsx", "YouTube \u2013 lo-fi beats",
    "Pull request #42 · acme/app", "Zoom Meeting", "", "Figma \u2013 Checkout «v2»",
]  # fmt: skip


def _first(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _parse_day(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(value[:10])


def _ids(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


def _dict_or_empty_list(mapping: dict[str, Any]) -> Any:
    # PHP's json_encode turns an empty associative array into [], never {}.
    return mapping if mapping else []


class TimeCampApi:
    """Routes one authenticated API request to the endpoint that answers it."""

    def __init__(self, catalog: Catalog, layout: EntryLayout, store: EntryStore, seed: int) -> None:
        """Serve the given account state."""
        self.catalog = catalog
        self.layout = layout
        self.store = store
        self.seed_key = mix64(seed ^ 0xAC71)
        self.user_groups: dict[int, int] = {u.user_id: u.group_id for u in catalog.users}
        self._tag_by_id: dict[int, Tag] = {t.tag_id: t for t in catalog.all_tags}
        self._app_by_id: dict[int, Application] = {
            a.application_id: a for a in catalog.applications
        }
        self._routes: list[tuple[re.Pattern[str], Handler]] = [
            (re.compile(r"/me/?"), self._me),
            (re.compile(r"/users/?"), self._users),
            (re.compile(r"/user/?"), self._user_query),
            (re.compile(r"/user/([0-9,]+)/setting/?"), self._user_settings),
            (re.compile(r"/user/([0-9,]+)/?"), self._user_path),
            (re.compile(r"/group/?"), self._groups),
            (re.compile(r"/group/(\d+)/user/?"), self._group_users),
            (re.compile(r"/tasks/?"), self._tasks),
            (re.compile(r"/tag_list/?"), self._tag_lists),
            (re.compile(r"/entries/?"), self._entries),
            (re.compile(r"/entries/([0-9,]+)/tags/?"), self._entry_tags),
            (re.compile(r"/entries_deletions/?"), self._deletions),
            (re.compile(r"/activity/?"), self._activity),
            (re.compile(r"/application/?"), self._applications),
            (re.compile(r"/timer_running/?"), self._timer_running),
        ]

    def handle(self, method: str, path: str, params: Params) -> Response:
        """Answer one request whose token has already been accepted."""
        for pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method != "GET":
                return error(405, f"Method {method} not allowed")
            try:
                return handler(match, params)
            except ValueError as exc:
                return error(400, f"Invalid parameter: {exc}")
        return error(404, f"Not found: {path}")

    # -- people ------------------------------------------------------------------------

    def _user_record(self, user: User) -> dict[str, Any]:
        return {
            "user_id": str(user.user_id),
            "email": user.email,
            "display_name": user.display_name,
            "login_count": str(user.login_count),
            "login_time": user.login_time,
            "synch_time": user.synch_time,
            "group_id": str(self.user_groups[user.user_id]),
        }

    def _me(self, _m: re.Match[str], _p: Params) -> Response:
        admin = self.catalog.admin
        return Response(
            value={
                "user_id": str(admin.user_id),
                "email": admin.email,
                "display_name": admin.display_name,
                "root_group_id": str(self.catalog.root_group_id),
                "permissions": {
                    "can_view_rates": True,
                    "can_edit_all_entries": True,
                    "is_admin": True,
                },
            }
        )

    def _users(self, _m: re.Match[str], _p: Params) -> Response:
        return Response(value=[self._user_record(u) for u in self.catalog.users])

    def _user_details(self, ids: list[int]) -> Response:
        found = []
        for user_id in ids:
            user = self.catalog.user_by_id.get(user_id)
            if user is None:
                continue
            record = self._user_record(user)
            record.update(
                time_zone=user.time_zone,
                language=user.language,
                root_group_id=str(self.catalog.root_group_id),
                primary_group_id=str(self.user_groups[user.user_id]),
            )
            found.append(record)
        if not found:
            return error(404, "User not found")
        # One id answers with the object itself, several with a list.
        return Response(value=found[0] if len(ids) == 1 else found)

    def _user_path(self, match: re.Match[str], _p: Params) -> Response:
        return self._user_details(_ids(match.group(1)))

    def _user_query(self, _m: re.Match[str], params: Params) -> Response:
        raw = _first(params, "user_id")
        return self._user_details(_ids(raw) if raw else [self.catalog.admin.user_id])

    def _user_settings(self, match: re.Match[str], params: Params) -> Response:
        names = params.get("name[]", []) + params.get("name", [])
        result: dict[str, Any] = {}
        for user_id in _ids(match.group(1)):
            user = self.catalog.user_by_id.get(user_id)
            if user is None:
                continue
            settings = []
            if "disabled_user" in names:
                if user.disabled:
                    settings.append({"name": "disabled_user", "value": "1"})
                elif self.catalog.users.index(user) == 1:
                    # Re-enabled users keep an explicit "0"; never-disabled ones have no row.
                    settings.append({"name": "disabled_user", "value": "0"})
            result[str(user_id)] = settings
        return Response(value=_dict_or_empty_list(result))

    def _groups(self, _m: re.Match[str], _p: Params) -> Response:
        return Response(
            value=[
                {"group_id": str(g.group_id), "name": g.name, "parent_id": str(g.parent_id)}
                for g in self.catalog.groups
            ]
        )

    def _group_users(self, match: re.Match[str], _p: Params) -> Response:
        group_id = int(match.group(1))
        if all(g.group_id != group_id for g in self.catalog.groups):
            return error(404, "Group not found")
        members = []
        for user in self.catalog.users:
            if self.user_groups[user.user_id] != group_id:
                continue
            record = self._user_record(user)
            # The real endpoint leaks credentials material; a tap must drop these fields.
            record.update(
                password=user.password_hash,
                activation_code=user.activation_code,
                role_id="1" if user.is_admin else "3",
            )
            members.append(record)
        return Response(value=members)

    # -- tasks and tags ----------------------------------------------------------------

    def _task_record(self, task: Task) -> dict[str, Any]:
        num: Callable[[int], Any] = str if task.stringly_typed else int
        parent = self.catalog.task_by_id.get(task.parent_id)
        return {
            "task_id": num(task.task_id),
            "parent_id": num(task.parent_id),
            "assigned_by": str(self.catalog.admin.user_id),
            "name": task.name,
            "external_task_id": task.external_task_id,
            "external_parent_id": parent.external_task_id if parent else None,
            "level": num(task.level),
            "add_date": task.add_date,
            "archived": num(int(task.archived)),
            "color": task.color,
            "tags": "",
            "budgeted": num(0),
            "checked_date": None,
            "root_group_id": num(self.catalog.root_group_id),
            "assigned_to": None,
            "assigned": None,
            "due_date": None,
            "note": task.note,
            "context": None,
            "folder": None,
            "repeat": None,
            "billable": num(int(task.billable)),
            "budget_unit": "hours",
            "public_hash": None,
            "modify_time": task.modify_time,
            "users": {
                str(u.user_id): {"user_id": str(u.user_id), "role_id": "1" if u.is_admin else "3"}
                for u in self.catalog.users
                if not u.disabled
            },
            "perms": {"1": True, "2": True, "3": True, "4": True, "5": True},
            "user_access_type": 2,
        }

    def _tasks(self, _m: re.Match[str], params: Params) -> Response:
        include_archived = _first(params, "status") == "all"
        wanted_raw = _first(params, "task_ids") or _first(params, "task_id")
        wanted = set(_ids(wanted_raw)) if wanted_raw else None
        result = {
            str(t.task_id): self._task_record(t)
            for t in self.catalog.tasks
            if (include_archived or not t.archived) and (wanted is None or t.task_id in wanted)
        }
        return Response(value=_dict_or_empty_list(result))

    def _tag_lists(self, _m: re.Match[str], params: Params) -> Response:
        with_tags = _first(params, "tags") == "1"
        archived = _first(params, "archived") == "1"
        result: dict[str, Any] = {}
        for tag_list in self.catalog.tag_lists:
            if tag_list.archived and not archived:
                continue
            record: dict[str, Any] = {
                "id": str(tag_list.list_id),
                "name": tag_list.name,
                "archived": str(int(tag_list.archived)),
                "sort": "0",
            }
            if with_tags:
                tags = {
                    str(t.tag_id): {
                        "id": str(t.tag_id),
                        "name": t.name,
                        "archived": str(int(t.archived)),
                    }
                    for t in tag_list.tags
                    if archived or not t.archived
                }
                record["tags"] = _dict_or_empty_list(tags)
            result[str(tag_list.list_id)] = record
        return Response(value=_dict_or_empty_list(result))

    def _tag_object(self, tag_id: int) -> dict[str, str] | None:
        tag = self._tag_by_id.get(tag_id)
        if tag is None:
            return None
        return {
            "tagListName": tag.list_name,
            "tagListId": str(tag.list_id),
            "tagId": str(tag.tag_id),
            "name": tag.name,
            "mandatory": str(int(tag.mandatory)),
        }

    # -- entries -----------------------------------------------------------------------

    def _entries(self, _m: re.Match[str], params: Params) -> Response:
        date_from, date_to = _parse_day(_first(params, "from")), _parse_day(_first(params, "to"))
        mod_from = _parse_day(_first(params, "modify_from"))
        mod_to = _parse_day(_first(params, "modify_to"))
        by_date = date_from is not None and date_to is not None
        by_modify = mod_from is not None and mod_to is not None
        if not by_date and not by_modify:
            return error(
                400, "Parameters 'from' and 'to' (or 'modify_from' and 'modify_to') are required"
            )
        user_ids: frozenset[int] | None = None
        raw_users = _first(params, "user_ids")
        if raw_users:
            admin = self.catalog.admin.user_id
            asked = [
                admin if part.strip() == "me" else int(part)
                for part in raw_users.split(",")
                if part.strip()
            ]
            if any(uid not in self.catalog.user_by_id for uid in asked):
                # A user the token cannot see: 403 with an empty list as the body.
                return Response(403, [])
            user_ids = frozenset(asked)
        task_ids = self._task_filter(params)
        flt = EntryFilter(
            date_from=date_from if by_date else None,
            date_to=date_to if by_date else None,
            modify_from=mod_from if by_modify else None,
            modify_to=mod_to if by_modify else None,
            user_ids=user_ids,
            task_ids=task_ids,
        )
        opt = {part.strip() for part in (_first(params, "opt_fields") or "").split(",")}
        decorate = self._decorator(
            tags="tags" in opt,
            breadcrumps="breadcrumps" in opt,
            project=_first(params, "include_project") == "1",
            rates=_first(params, "include_rates") == "1",
        )
        entries = self.store.query(flt)
        return Response(items=entries if decorate is None else (decorate(e) for e in entries))

    def _task_filter(self, params: Params) -> frozenset[int] | None:
        raw = _first(params, "task_ids")
        if not raw:
            return None
        wanted = set(_ids(raw))
        if _first(params, "with_subtasks") == "1":
            for task in self.catalog.tasks:
                ancestor = task
                while ancestor.parent_id:
                    if ancestor.parent_id in wanted:
                        wanted.add(task.task_id)
                        break
                    ancestor = self.catalog.task_by_id[ancestor.parent_id]
        return frozenset(wanted)

    def _decorator(
        self, *, tags: bool, breadcrumps: bool, project: bool, rates: bool
    ) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        if not (tags or breadcrumps or project or rates):
            return None
        tasks = self.catalog.task_by_id
        users = self.catalog.user_by_id

        def decorate(entry: dict[str, Any]) -> dict[str, Any]:
            task = tasks.get(int(entry["task_id"]))
            if tags:
                tag_ids = self.store.tag_ids(entry)
                if tag_ids is not None:
                    entry["tags"] = [t for t in map(self._tag_object, tag_ids) if t is not None]
            if breadcrumps:
                entry["breadcrumps"] = " / ".join(task.path[:-1]) if task else ""
            if project:
                entry["project_id"] = task.project_id if task else 0
                entry["project_name"] = tasks[task.project_id].name if task else ""
            if rates:
                user = users.get(int(entry["user_id"]))
                rate = user.hourly_rate if user and entry["billable"] else 0.0
                hours = int(entry["duration"]) / 3600
                values = (round(hours * rate * 0.6, 2), round(hours * rate, 2), rate)
                if self.layout.rates_as_strings(entry["id"]):
                    entry.update(
                        zip(
                            ("total_cost", "total_income", "rate_income"),
                            (f"{v:.2f}" for v in values),
                            strict=True,
                        )
                    )
                else:
                    entry.update(
                        zip(("total_cost", "total_income", "rate_income"), values, strict=True)
                    )
            return entry

        return decorate

    def _entry_tags(self, match: re.Match[str], _p: Params) -> Response:
        result: dict[str, Any] = {}
        for entry_id in _ids(match.group(1)):
            entry = self.store.get(entry_id)
            if entry is None:
                continue
            tag_ids = self.store.tag_ids(entry) or []
            tag_objects = [t for t in map(self._tag_object, tag_ids) if t is not None]
            if tag_objects:
                result[str(entry_id)] = tag_objects
        if not result:
            # One of the places TimeCamp answers with a bare JSON string instead of an object.
            return Response(404, "Empty tags")
        return Response(value=result)

    def _deletions(self, _m: re.Match[str], params: Params) -> Response:
        first, last = _parse_day(_first(params, "from")), _parse_day(_first(params, "to"))
        if first is None or last is None:
            return error(400, "Parameters 'from' and 'to' are required")
        return Response(
            value=[
                {
                    "entry_id": str(d.entry_id),
                    "user_id": d.user_id,
                    "task_id": d.task_id,
                    "date": d.entry_date,
                    "duration": d.duration,
                    "edited": d.edited,
                    "deleted_by": str(self.catalog.admin.user_id),
                }
                for d in self.store.deletions(first, last)
            ]
        )

    def _timer_running(self, _m: re.Match[str], _p: Params) -> Response:
        return Response(
            value=[
                {
                    "timer_id": str(e["id"] - self.layout.id_limit + 1),
                    "entry_id": str(e["id"]),
                    "user_id": e["user_id"],
                    "task_id": e["task_id"],
                    "started_at": f"{e['date']} {e['start_time']}",
                    "name": e["name"],
                    "note": e["description"],
                }
                for e in self.store.running()
            ]
        )

    # -- computer activity -------------------------------------------------------------

    def _activity(self, _m: re.Match[str], params: Params) -> Response:
        dates = list(params.get("dates[]", []))
        dates += [v for k, vs in params.items() if re.fullmatch(r"dates\[\d+\]", k) for v in vs]
        if not dates:
            return error(400, "Parameter 'dates' is required")
        if len(dates) > MAX_ACTIVITY_DATES:
            return error(400, f"Too many dates: at most {MAX_ACTIVITY_DATES} allowed")
        raw_user = _first(params, "user_id")
        # In practice the endpoint answers for one user per call: the first id wins.
        user_id = _ids(raw_user)[0] if raw_user else self.catalog.admin.user_id
        user = self.catalog.user_by_id.get(user_id)
        if user is None:
            return Response(403, [])
        includes = set((_first(params, "include") or "").split(","))
        days = sorted({date.fromisoformat(d) for d in dates})
        return Response(
            items=(a for d in days for a in self.activities_of(user, d, "window_title" in includes))
        )

    def activities_of(self, user: User, day: date, with_title: bool) -> Iterator[dict[str, Any]]:
        """The activities `/activity` files under `day` for `user`."""
        h = mix64(self.seed_key ^ (user.user_id * 1_000_003 + day.toordinal()))
        if user.disabled or user.user_id % 4 == 3:
            return  # no desktop app installed
        count = (6 + h % 15) if day.weekday() < 5 else h % 3
        moment = datetime(day.year, day.month, day.day, 8) + timedelta(seconds=(h >> 8) % 3600)
        late = (h >> 40) % 4 == 0
        if late:
            # A late session that runs past midnight: records dated outside the asked day.
            moment = datetime(day.year, day.month, day.day, 23, 10)
            count = max(count, 4)
        apps = self.catalog.applications
        for k in range(count):
            r = mix64(h + k)
            span = (600 if late else 30) + r % 1800
            moment += timedelta(seconds=span)
            app = apps[(r >> 12) % len(apps)]
            title = (r >> 20) % len(_WINDOW_TITLES)
            record: dict[str, Any] = {
                "user_id": str(user.user_id),
                "application_id": str(app.application_id),
                "window_title_id": str(app.application_id * 1000 + title),
                "end_time": stamp(moment),
                "time_span": span,
            }
            if with_title:
                record["window_title"] = _WINDOW_TITLES[title]
            yield record

    def _applications(self, _m: re.Match[str], params: Params) -> Response:
        raw = _first(params, "application_ids")
        if not raw:
            return error(400, "Parameter 'application_ids' is required")
        result = {}
        for app_id in _ids(raw):
            app = self._app_by_id.get(app_id)
            if app is not None:
                result[str(app_id)] = {
                    "application_id": str(app.application_id),
                    "app_name": app.app_name,
                    "aditional_info": app.aditional_info,
                    "full_name": app.full_name,
                    "category_id": str(app.category_id),
                }
        return Response(value=_dict_or_empty_list(result))
