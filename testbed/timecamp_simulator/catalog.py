"""The small, fully materialised part of the fake account: users, groups, tasks, tags, apps.

Everything here is a few dozen records derived from the seed, so it is built eagerly;
only time entries (which can number millions) are computed lazily, in `data.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

USER_ID_BASE = 1_201_000
GROUP_ID_BASE = 310_000
TASK_ID_BASE = 51_218_000
TAG_LIST_ID_BASE = 8
TAG_ID_BASE = 13
# TimeCamp prints never-set timestamps as the Unix epoch in Europe/Warsaw.
UNSET_TIME = "1970-01-01 01:00:00"

_FIRST_NAMES = [
    "Anna", "Łukasz", "Zofia", "Jürgen", "Siobhán", "Marek", "Chloé", "Kenji",
    "Ewa", "Ólafur", "Ines", "Tomasz", "Björn", "Małgorzata", "José", "Aiko",
]  # fmt: skip
_LAST_NAMES = [
    "Kowalska", "Wiśniewski", "Wójcik", "Groß", "O'Neil", "Zieliński", "Dubois", "Tanaka",
    "Nowak", "Sigurðsson", "García", "Lewandowski", "Ångström", "Szymańska", "Müller", "Sato",
]  # fmt: skip
_ASCII = str.maketrans(
    "łŁóÓżŻźŹśŚąĄęĘćĆńŃüÜöÖäÄéÉíÍáÁðÐåÅß'",
    "lLoOzZzZsSaAeEcCnNuUoOaAeEiIaAdDaAs_",
)


@dataclass(frozen=True)
class User:
    """One account member; `disabled` users still own historical entries."""

    user_id: int
    email: str
    display_name: str | None
    group_id: int
    login_count: int
    login_time: str
    synch_time: str
    time_zone: int
    language: str
    disabled: bool
    is_admin: bool
    hourly_rate: float
    password_hash: str
    activation_code: str

    @property
    def shown_name(self) -> str:
        """The name TimeCamp prints on entries: the display name, else the e-mail."""
        return self.display_name if self.display_name is not None else self.email


@dataclass(frozen=True)
class Group:
    """A node of the group tree; the root's parent is 0."""

    group_id: int
    name: str
    parent_id: int


@dataclass(frozen=True)
class Task:
    """A node of the task tree; projects are the level-1 tasks with parent 0."""

    task_id: int
    parent_id: int
    name: str
    level: int
    archived: bool
    billable: bool
    color: str
    add_date: str
    modify_time: str | None
    external_task_id: str | None
    note: str
    # Task records from different code paths disagree on number vs string types.
    stringly_typed: bool
    path: tuple[str, ...]
    project_id: int


@dataclass(frozen=True)
class Tag:
    """One tag inside a tag list."""

    tag_id: int
    name: str
    archived: bool
    list_id: int
    list_name: str
    mandatory: bool


@dataclass(frozen=True)
class TagList:
    """A named list of tags; an archived list hides all its tags."""

    list_id: int
    name: str
    archived: bool
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class Application:
    """A desktop application seen by the activity tracker."""

    application_id: int
    app_name: str
    aditional_info: str
    full_name: str
    category_id: int


@dataclass
class Catalog:
    """All the small reference data of one simulated account."""

    users: list[User]
    groups: list[Group]
    tasks: list[Task]
    tag_lists: list[TagList]
    applications: list[Application]
    root_group_id: int
    user_by_id: dict[int, User] = field(init=False)
    task_by_id: dict[int, Task] = field(init=False)
    # Every tag of every list, archived included.
    tag_by_id: dict[int, Tag] = field(init=False)

    def __post_init__(self) -> None:
        self.user_by_id = {u.user_id: u for u in self.users}
        self.task_by_id = {t.task_id: t for t in self.tasks}
        self.tag_by_id = {t.tag_id: t for tag_list in self.tag_lists for t in tag_list.tags}

    @property
    def admin(self) -> User:
        """The token's owner: an administrator who sees every user."""
        return self.users[0]


def _build_groups() -> list[Group]:
    # Four levels so group-breadcrumb flattening has something to chew on.
    g = GROUP_ID_BASE
    return [
        Group(g + 1, "Acme Sp. z o.o.", 0),
        Group(g + 2, "Engineering", g + 1),
        Group(g + 3, "Sales & Marketing", g + 1),
        Group(g + 4, "Backend", g + 2),
        Group(g + 5, "Frontend", g + 2),
        Group(g + 6, "Platform «Core»", g + 4),
        Group(g + 7, "Field Sales", g + 3),
    ]


def _build_users(rng: random.Random, count: int, groups: list[Group], now: datetime) -> list[User]:
    users: list[User] = []
    member_groups = [g.group_id for g in groups[1:]]
    for k in range(count):
        first = _FIRST_NAMES[k % len(_FIRST_NAMES)]
        last = _LAST_NAMES[(k * 7 + 3) % len(_LAST_NAMES)]
        email = f"{first}.{last}{k if k >= len(_FIRST_NAMES) else ''}@acme.example"
        email = email.translate(_ASCII).lower().replace("_", "")
        never_logged_in = count >= 4 and k == count - 2
        login_at = now - timedelta(days=rng.randint(0, 20), seconds=rng.randint(0, 86_399))
        users.append(
            User(
                user_id=USER_ID_BASE + 1 + k,
                email=email,
                # TimeCamp lets display_name be null for invited users who never set it.
                display_name=None if count >= 3 and k == 2 else f"{first} {last}",
                group_id=groups[0].group_id if k == 0 else member_groups[k % len(member_groups)],
                login_count=0 if never_logged_in else rng.randint(3, 900),
                login_time=UNSET_TIME if never_logged_in else f"{login_at:%Y-%m-%d %H:%M:%S}",
                synch_time=UNSET_TIME
                if never_logged_in or k % 3 == 1
                else f"{login_at:%Y-%m-%d %H:%M:%S}",
                time_zone=rng.choice([0, 0, 0, 3600, -21600, 28800, -3600]),
                language=rng.choice(["en", "pl", "de", "es"]),
                disabled=count >= 3 and k == count - 1,
                is_admin=k == 0,
                hourly_rate=float(rng.choice([40, 55, 65, 80, 120])),
                password_hash="$2y$10$"
                + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789./", k=53)),
                activation_code="".join(rng.choices("0123456789abcdef", k=32)),
            )
        )
    return users


_PROJECTS: list[tuple[str, list[Any]]] = [
    ("Website Redesign", [
        ("Frontend", [("Landing page", []), ("Checkout «v2»", [("A/B test", [])])]),
        ("Backend API", []),
    ]),
    ("Mobile App", [("iOS", []), ("Android", []), ("QA & Testing", [])]),
    ("Internal", [("Meetings", []), ("Recruitment", []), ("Training", [])]),
    ("Client: Żabka \"Fresh\"", [
        ("Discovery", []),
        ("Implementation", [("Phase 1", []), ("Phase 2", [])]),
    ]),
    ("Legacy Migration", [("Data export", []), ("Cut-over", [])]),
    ("Support", [("Tickets", []), ("On-call", [])]),
]  # fmt: skip
_ARCHIVED_PROJECT = "Legacy Migration"
_ARCHIVED_SUBTASKS = {"Android", "Phase 1"}
_COLORS = ["#5DCB73", "#4DA5F5", "#F5A623", "#D0021B", "#9013FE", "#50E3C2", "#B8E986", "#34495E"]


def _new_task(
    rng: random.Random,
    task_id: int,
    name: str,
    parent: Task | None,
    *,
    archived: bool,
    now: datetime,
) -> Task:
    added = now - timedelta(days=rng.randint(200, 900))
    return Task(
        task_id=task_id,
        parent_id=parent.task_id if parent else 0,
        name=name,
        level=(parent.level + 1) if parent else 1,
        archived=archived,
        billable=rng.random() < 0.7,
        color=rng.choice(_COLORS),
        add_date=f"{added:%Y-%m-%d %H:%M:%S}",
        modify_time=None
        if rng.random() < 0.3
        else f"{added + timedelta(days=30):%Y-%m-%d %H:%M:%S}",
        external_task_id=f"JIRA-{rng.randint(100, 999)}" if rng.random() < 0.2 else None,
        note="" if rng.random() < 0.6 else f"Notes for {name}",
        stringly_typed=task_id % 3 == 0,
        path=((*parent.path, name) if parent else (name,)),
        project_id=parent.project_id if parent else task_id,
    )


def _build_tasks(rng: random.Random, root_group_id: int, now: datetime) -> list[Task]:
    tasks: list[Task] = []
    next_id = TASK_ID_BASE

    def add(name: str, children: list[Any], parent: Task | None) -> None:
        nonlocal next_id
        next_id += 1 + rng.randint(0, 3)
        archived = (parent is not None and parent.archived) or name in _ARCHIVED_SUBTASKS
        archived = archived or (parent is None and name == _ARCHIVED_PROJECT)
        task = _new_task(rng, next_id, name, parent, archived=archived, now=now)
        tasks.append(task)
        for child_name, grandchildren in children:
            add(child_name, grandchildren, task)

    for name, children in _PROJECTS:
        add(name, children, None)
    del root_group_id  # every task belongs to the one root group; kept for signature clarity
    return tasks


def _build_tag_lists(count: int) -> list[TagList]:
    specs = [
        ("Activity", False, [
            ("Dev", False), ("Review", False), ("Meeting", False), ("Spotkanie", True),
        ]),
        ("Billing", False, [("Billable", False), ("Non-billable", False), ("Overtime", False)]),
        ("Legacy «2019»", True, [("Old", False), ("Older", False)]),
        ("Location", False, [("Office", False), ("Remote", False), ("Client site", True)]),
    ]  # fmt: skip
    lists: list[TagList] = []
    tag_id = TAG_ID_BASE
    for n in range(count):
        name, archived, tag_specs = specs[n % len(specs)]
        list_id = TAG_LIST_ID_BASE + n
        if n >= len(specs):
            name = f"{name} {n // len(specs) + 1}"
        tags = []
        for tag_name, tag_archived in tag_specs:
            tags.append(Tag(tag_id, tag_name, tag_archived, list_id, name, mandatory=n == 0))
            tag_id += 1
        lists.append(TagList(list_id, name, archived, tuple(tags)))
    return lists


_APPS = [
    ("chrome", "Google Chrome", 13), ("code", "Visual Studio Code", 2), ("slack", "Slack", 3),
    ("outlook", "Microsoft Outlook", 3), ("excel", "Microsoft Excel", 1), ("figma", "Figma", 4),
    ("spotify", "Spotify", 8), ("zoom", "Zoom", 3), ("terminal", "Terminal", 2), ("idle", "", 0),
    ("word", "Microsoft Word", 1), ("notion", "Notion", 6), ("1password", "1Password", 7),
    ("steam", "Steam", 9), ("duolingo", "Duolingo", 10), ("youtube", "YouTube", 11),
    ("feedly", "Feedly", 12), ("amazon", "Amazon", 14), ("linkedin", "LinkedIn", 15),
    ("booking", "Booking.com", 16), ("salesforce", "Salesforce", 17),
    ("lightroom", "Lightroom", 18),
    ("explorer", "Windows Explorer", 5), ("teams", "Microsoft Teams", 3),
]  # fmt: skip


def _build_applications() -> list[Application]:
    apps = []
    for k, (name, full, category) in enumerate(_APPS, start=1):
        # Like the real data, some apps only have a process name and no descriptive fields.
        apps.append(Application(k, name, full if k % 4 else "", full if k % 5 else "", category))
    return apps


def build_catalog(
    seed: int,
    users: int,
    now: datetime,
    tag_lists: int = 3,
    *,
    tasks: int = 0,
    groups: int = 0,
) -> Catalog:
    """Build the deterministic reference data of an account from the seed.

    `tasks` and `groups` are at least how many there are: the built-in trees, padded with
    generated projects of ten tasks and teams when asked for more (a priced account's size).
    """
    rng = random.Random(f"catalog:{seed}")
    group_list = _pad_groups(_build_groups(), groups)
    # Users draw from the seed before tasks do: the order keeps every account as it was.
    user_list = _build_users(rng, max(users, 1), group_list, now)
    task_list = _build_tasks(rng, group_list[0].group_id, now)
    return Catalog(
        users=user_list,
        groups=group_list,
        tasks=_pad_tasks(task_list, tasks, random.Random(f"catalog-padding:{seed}"), now),
        tag_lists=_build_tag_lists(tag_lists),
        applications=_build_applications(),
        root_group_id=group_list[0].group_id,
    )


def _pad_groups(groups: list[Group], count: int) -> list[Group]:
    # Teams under the second-level groups in turn: the tree keeps its four levels.
    parents = [g.group_id for g in groups if g.parent_id == groups[0].group_id]
    next_id = max(g.group_id for g in groups)
    padded = list(groups)
    while len(padded) < count:
        next_id += 1
        parent = parents[len(padded) % len(parents)]
        padded.append(Group(next_id, f"Team {len(padded) + 1}", parent))
    return padded


def _pad_tasks(tasks: list[Task], count: int, rng: random.Random, now: datetime) -> list[Task]:
    padded = list(tasks)
    next_id = max(t.task_id for t in tasks)
    project: Task | None = None
    while len(padded) < count:
        next_id += 1
        number = len(padded) + 1
        parent = project if project is not None and number % 10 else None
        name = f"Task {number}" if parent is not None else f"Project {number}"
        task = _new_task(rng, next_id, name, parent, archived=False, now=now)
        padded.append(task)
        if parent is None:
            project = task
    return padded
