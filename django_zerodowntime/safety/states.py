"""Project states carried along a plan, cheap to step forward and rendered only where looked at.

Cloning a rendered ProjectState per operation copies the whole app registry and
re-renders what changed: that was nearly all of the analysis time. Here a step
copies only the ModelState its (known) operation changes, sharing the others with
the state before, and a rule that asks for a model class gets one rendered with
just the models it relates to directly (either way) and their bases;
renders are shared by every state holding the same ModelStates.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, cast

from django.db.migrations.state import ModelState, ProjectState, StateApps
from django.db.migrations.utils import resolve_relation
from django.utils.functional import cached_property

from django_zerodowntime.safety.operations import State, state_effect

if TYPE_CHECKING:
    from django.db.models import Model

    ModelClass = type[Model]

Key = tuple[str, str]


class Renders:
    """Model classes rendered per related group of ModelStates, shared along one plan."""

    def __init__(self, budget: int = 2048) -> None:
        # Rendered model classes kept, all groups together (a group may be large).
        self.budget, self.kept = budget, 0
        # Keyed by the ids of the group's ModelStates; each entry keeps them alive.
        self.groups: OrderedDict[tuple[int, ...], tuple[tuple[ModelState, ...], StateApps]] = (
            OrderedDict()
        )
        # What each ModelState relates to, while it lives (ModelStates are unhashable).
        self.links: dict[int, tuple[weakref.ref[ModelState], frozenset[Key]]] = {}

    def targets(self, key: Key, model_state: ModelState) -> frozenset[Key]:
        """Models this ModelState needs to render: relation targets, through models, bases."""
        known = self.links.get(id(model_state))
        if known is not None and known[0]() is model_state:
            return known[1]
        found: set[Key] = set()
        for field in model_state.fields.values():
            remote: Any = field.remote_field
            if remote is None:
                continue
            for target in (remote.model, getattr(remote, "through", None)):
                if target is not None:
                    found.add(resolve_relation(target, *key))
        found.update(resolve_relation(b, key[0]) for b in model_state.bases if isinstance(b, str))
        self.links[id(model_state)] = (weakref.ref(model_state), frozenset(found))
        weakref.finalize(model_state, self.links.pop, id(model_state), None)
        return frozenset(found)

    def group(self, state: ProjectState, key: Key) -> set[Key]:
        """What rendering ``key`` exactly as a full render would needs.

        Its direct relations both ways (they make its fields and reverse relations)
        and every base class those inherit from; relations further away stay pending,
        which changes nothing about ``key``'s own fields, tables and columns.
        """
        members = {key}
        for other, model_state in state.models.items():
            targets = self.targets(other, model_state)
            if other == key:
                members |= targets
            elif key in targets:
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

    def model(self, state: ProjectState, key: Key) -> ModelClass:
        members = self.group(state, key)
        models = {k: s for k, s in state.models.items() if k in members}  # Django's order
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


def render(real_apps: set[str], models: dict[Key, ModelState]) -> StateApps:
    """Like ``StateApps(real_apps, models)``, but tolerating relations to a missing model.

    Django's executor re-renders changed models in an existing registry, where a
    relation to a model an earlier step deleted just stays pending; so does this.
    """
    apps = StateApps(cast("list[str]", real_apps), {})
    apps.render_multiple(sorted(models.values(), key=lambda state: state.app_label))
    return apps


class PlanState(ProjectState):
    """A ProjectState whose model classes are rendered one related group at a time."""

    def __init__(
        self, models: dict[Key, ModelState], real_apps: set[str], renders: Renders
    ) -> None:
        super().__init__(models, real_apps)
        self.renders = renders
        self.rendered: dict[Key, ModelClass] = {}

    @cached_property
    def apps(self) -> StateApps:
        return render(self.real_apps, self.models)

    def model(self, app_label: str, model_name: str) -> ModelClass:
        """Like ``self.apps.get_model`` (LookupError when missing), without rendering it all."""
        key = (app_label, model_name.lower())
        if "apps" in self.__dict__ or (key not in self.models and self.may_render(*key)):
            return self.apps.get_model(app_label, model_name)
        if key not in self.models:
            raise LookupError(f"no model {app_label}.{model_name} in this state")
        if key not in self.rendered:
            self.rendered[key] = self.renders.model(self, key)
        return self.rendered[key]

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
    if effect is State.ONE_MODEL:
        touched = (app_label, str(getattr(operation, model_attr)))
        after = state.derive({touched})
    elif effect is State.RENAMES_MODEL:
        touched = (app_label, operation.new_name_lower)
        after = state.derive(None)  # it repoints the fields of every referencing model
    elif effect is State.RENAMES_FIELD:  # it edits referencing Field objects in place: copy them
        touched = (app_label, operation.model_name_lower)
        after = state.derive(state.renders.group(state, touched), own_fields=True)
    else:  # unknown: it may change any Field in place
        touched, after = None, state.derive(None, own_fields=True)
    operation.state_forwards(app_label, after)
    # Render what changed now, as Django's reload does: a step that breaks the state fails.
    if touched is None:
        _ = after.apps
    elif touched in after.models:
        after.model(*touched)
    return after
