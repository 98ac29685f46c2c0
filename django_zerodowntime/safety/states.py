"""Project states carried along a plan, cheap to step forward and rendered only where looked at.

Cloning a rendered ProjectState per operation copies the whole app registry and
re-renders what changed: that was nearly all of the analysis time. Here a step
copies only the ModelState its (known) operation changes, sharing the others with
the state before. A rule that asks for a model class gets it rendered with its
bases and only the related models the fact it reads needs (``identity.Related``;
most facts need none). Renders are shared by every state holding the same
ModelStates, and by the ModelState an operation of effect ``State.SAME_RENDER``
(unique_together, a removed index...) makes and the one it was copied from.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, cast

from django.db.migrations.state import ModelState, ProjectState, StateApps
from django.db.migrations.utils import resolve_relation
from django.utils.functional import cached_property

from django_zerodowntime.safety.identity import Related
from django_zerodowntime.safety.operations import State, state_effect

if TYPE_CHECKING:
    from django.db.models import Model

    ModelClass = type[Model]

Key = tuple[str, str]
Value = TypeVar("Value")


class PerModelState(Generic[Value]):
    """A value per live ModelState (they are unhashable), dropped when it is collected."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[weakref.ref[ModelState], Value]] = {}

    def get(self, model_state: ModelState) -> Value | None:
        entry = self.entries.get(id(model_state))
        return entry[1] if entry is not None and entry[0]() is model_state else None

    def set(self, model_state: ModelState, value: Value) -> None:
        self.entries[id(model_state)] = (weakref.ref(model_state), value)
        weakref.finalize(model_state, self.entries.pop, id(model_state), None)


class Links(NamedTuple):
    """What one ModelState points at."""

    targets: frozenset[Key]  # relation targets, through models and bases
    m2m: frozenset[Key]  # targets of its ManyToManyFields


class Renders:
    """Model classes rendered per group of ModelStates, shared along one plan."""

    def __init__(self, routed: bool = False, budget: int = 2048) -> None:
        # Routers are handed model classes: then every model is rendered with all its
        # direct relations and its current options, as a router would see it.
        self.routed = routed
        # Rendered model classes kept, all groups together (a group may be large).
        self.budget, self.kept = budget, 0
        # Keyed by the ids of the group's ModelStates; each entry keeps them alive.
        self.groups: OrderedDict[tuple[int, ...], tuple[tuple[ModelState, ...], StateApps]] = (
            OrderedDict()
        )
        self.links: PerModelState[Links] = PerModelState()
        # A ModelState a SAME_RENDER operation made renders as the one it was copied from.
        self.stand_ins: PerModelState[ModelState] = PerModelState()

    def links_of(self, key: Key, model_state: ModelState) -> Links:
        known = self.links.get(model_state)
        if known is not None:
            return known
        targets: set[Key] = set()
        m2m: set[Key] = set()
        for field in model_state.fields.values():
            remote: Any = field.remote_field
            if remote is None:
                continue
            for target in (remote.model, getattr(remote, "through", None)):
                if target is not None:
                    targets.add(resolve_relation(target, *key))
            if field.many_to_many:
                m2m.add(resolve_relation(remote.model, *key))
        targets.update(resolve_relation(b, key[0]) for b in model_state.bases if isinstance(b, str))
        links = Links(frozenset(targets), frozenset(m2m))
        self.links.set(model_state, links)
        return links

    def group(self, state: ProjectState, key: Key, related: Related) -> set[Key]:
        """The models rendered with ``key`` for a fact that needs ``related``, and their bases.

        Relations to models outside the group stay pending, which changes nothing
        about ``key``'s own fields, tables and columns.
        """
        members = {key}
        own = state.models.get(key)
        if own is not None and related in (Related.TARGETS, Related.ALL):
            members |= self.links_of(key, own).targets
        if related in (Related.M2M_IN, Related.ALL):
            for other, model_state in state.models.items():
                links = self.links_of(other, model_state)
                if key in (links.targets if related is Related.ALL else links.m2m):
                    members.add(other)
        todo = list(members)
        while todo:
            model_state = state.models.get(todo.pop())
            if model_state is None:
                continue
            for base in (b for b in model_state.bases if isinstance(b, str)):
                parent = resolve_relation(base, model_state.app_label)
                if parent not in members:
                    members.add(parent)
                    todo.append(parent)
        return members

    def model(self, state: ProjectState, key: Key, related: Related) -> ModelClass:
        members = self.group(state, key, Related.ALL if self.routed else related)
        # In Django's order; a ModelState a SAME_RENDER step made renders as its stand-in.
        models = {k: self.stand_in(s) for k, s in state.models.items() if k in members}
        # Unmigrated apps are rendered only when the group points at one of their models.
        real_apps = state.real_apps if len(models) < len(members) else set()
        ids = (len(real_apps), *(id(s) for s in models.values()))
        entry = self.groups.get(ids)
        if entry is None:
            entry = (tuple(models.values()), render(real_apps, models))
            self.groups[ids] = entry
            self.kept += len(models)
            while self.kept > self.budget and len(self.groups) > 1:
                self.kept -= len(self.groups.popitem(last=False)[1][0])
        else:
            self.groups.move_to_end(ids)
        return entry[1].get_model(*key)

    def stand_in(self, model_state: ModelState) -> ModelState:
        return self.stand_ins.get(model_state) or model_state

    def share(self, before: ProjectState, after: ProjectState, key: Key) -> bool:
        """Let ``key`` in ``after`` render as in ``before`` (a SAME_RENDER operation's change)."""
        old, new = before.models.get(key), after.models.get(key)
        if self.routed or old is None or new is None:
            return False
        self.stand_ins.set(new, self.stand_in(old))
        return True


def render(real_apps: set[str], models: dict[Key, ModelState]) -> StateApps:
    """Like ``StateApps(real_apps, models)``, but tolerating relations to a missing model.

    Django's executor re-renders changed models in an existing registry, where a
    relation to a model an earlier step deleted just stays pending; so does this.
    """
    apps = StateApps(cast("list[str]", real_apps), {})
    apps.render_multiple(sorted(models.values(), key=lambda state: state.app_label))
    return apps


class PlanState(ProjectState):
    """A ProjectState whose model classes are rendered one group at a time."""

    def __init__(
        self, models: dict[Key, ModelState], real_apps: set[str], renders: Renders
    ) -> None:
        super().__init__(models, real_apps)
        self.renders = renders
        self.rendered: dict[tuple[Key, Related], ModelClass] = {}

    @cached_property
    def apps(self) -> StateApps:
        return render(self.real_apps, self.models)

    def model(self, app_label: str, model_name: str, related: Related = Related.NONE) -> ModelClass:
        """Like ``self.apps.get_model`` (LookupError when missing), without rendering it all.

        ``related``: what else the caller reads needs rendered with it (see identity.Related).
        """
        key = (app_label, model_name.lower())
        if "apps" in self.__dict__ or (key not in self.models and self.may_render(*key)):
            return self.apps.get_model(app_label, model_name)
        if key not in self.models:
            raise LookupError(f"no model {app_label}.{model_name} in this state")
        if (key, related) not in self.rendered:
            self.rendered[key, related] = self.renders.model(self, key, related)
        return self.rendered[key, related]

    def may_render(self, app_label: str, model_name: str) -> bool:
        """Could a full render hold this model anyway: unmigrated, or an auto-created M2M table?"""
        return app_label in self.real_apps or any(
            label == app_label and model_name.startswith(f"{name}_") for label, name in self.models
        )

    def derive(self, copied: set[Key] | None, own_fields: bool = False) -> PlanState:
        """A new state sharing this one's ModelStates except ``copied`` (None: copy all).

        ``own_fields``: the copies get their own Field objects too (Django shares them).
        """
        models = dict(self.models)
        for key in models if copied is None else copied & models.keys():
            clone = models[key] = models[key].clone()
            if own_fields:
                clone.fields = {name: field.clone() for name, field in clone.fields.items()}
        return PlanState(models, self.real_apps, self.renders)


def advance(state: ProjectState, operation: Any, app_label: str) -> ProjectState:
    """The state after ``operation``; ``state`` itself is left as it was."""
    if not isinstance(state, PlanState):
        plain = state.clone()
        operation.state_forwards(app_label, plain)
        return plain
    effect, model_attr = state_effect(operation)
    if effect is State.NONE:
        return state.derive(set())
    if effect is State.SUB_OPERATIONS:
        after: ProjectState = state.derive(set())
        for state_operation in operation.state_operations:
            after = advance(after, state_operation, app_label)
        return after
    touched: Key | None
    if effect in (State.ONE_MODEL, State.SAME_RENDER):
        touched = (app_label, str(getattr(operation, model_attr)))
        after = state.derive({touched})
    elif effect is State.RENAMES_MODEL:
        touched = (app_label, operation.new_name_lower)
        after = state.derive(None)  # it repoints the fields of every referencing model
    elif effect is State.RENAMES_FIELD:  # it edits referencing Field objects in place: copy them
        touched = (app_label, operation.model_name_lower)
        after = state.derive(state.renders.group(state, touched, Related.ALL), own_fields=True)
    else:  # unknown: it may change any Field in place
        touched, after = None, state.derive(None, own_fields=True)
    operation.state_forwards(app_label, after)
    if effect is State.SAME_RENDER and state.renders.share(state, after, cast("Key", touched)):
        return after  # nothing to check: the class rendered before serves
    # Render what changed now, as Django's reload does: a step that breaks the state fails.
    if touched is None:
        _ = after.apps
    elif touched in after.models:
        after.model(*touched)
    return after
