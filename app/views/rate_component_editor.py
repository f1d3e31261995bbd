"""The components of one rate version (spec/20 §2.1, §7): a grid with every field as a column,
edited in place, and below it the selected component as forms — main fields, value and
quantity, steps, references and GL, eligibility groups with their criteria.

    editor = ComponentEditor(choices)
    editor.set_components(version.components, saved={rc.sequence for rc in ...})
    editor.changed.connect(pane.version_edited)
    editor.components()             # the working copy, one `dataclasses.replace` per edit
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.enums import ComponentType, ValueType
from app.engine.rates.schedules import EligibilityGroup, RateComponent
from app.views.rate_editor_fields import (
    COMPONENT,
    COMPONENT_COLUMNS,
    CRITERION_COLUMNS,
    GROUP_COLUMNS,
    Column,
    new_criterion,
    new_group,
)
from app.views.rate_editor_widgets import Choices, RecordForm, RecordTable
from app.views.widgets import FieldMessage, label, push_button

MAIN_FIELDS = ("sequence", "type", "description", "description_on_bill", "print",
               "print_if_zero", "rounding", "precision", "fcpo", "result_type",
               "create_bill_line", "fcpo_retention")
VALUE_FIELDS = ("value_type", "value_source", "value", "bill_factor", "value_rc",
                "value_algorithm", "uom", "tou", "sqi", "error_if_no_value", "measures_peak",
                "gl_statistical_qty", "season", "item_type", "tou_map", "calc_algorithm",
                "audit_algorithm", "derive_sq")
STEP_FIELDS = ("step_low", "step_high", "step_rc", "step_algorithm")
REFERENCE_FIELDS = ("xrefs", "gl", "characteristics")
TABS = (("Component", MAIN_FIELDS), ("Value && quantity", VALUE_FIELDS),
        ("Steps", STEP_FIELDS), ("References && GL", REFERENCE_FIELDS))
ELIGIBILITY_TAB = len(TABS)
#: The type a new component starts with, and its value type.
NEW_TYPE, NEW_VALUE_TYPE = ComponentType.FLAT, ValueType.CHARGE


def component_label(rc: RateComponent) -> str:
    """"10 · FLAT · Customer charge" (the tree, the problem list)."""
    text = rc.description or rc.description_on_bill
    return f"{rc.sequence} · {rc.type.value}" + (f" · {text}" if text else "")


def references_to(components: Iterable[RateComponent], sequence: int) -> list[int]:
    """The components that point at `sequence` (xrefs, value and step RC, eligibility)."""
    out = []
    for rc in components:
        refs = set(rc.xrefs) | {s for s in (rc.value_rc, rc.step_rc) if s is not None}
        refs |= {c.rc for g in rc.eligibility for c in g.criteria if c.rc is not None}
        if sequence in refs and rc.sequence != sequence:
            out.append(rc.sequence)
    return out



class EligibilityEditor(QWidget):
    """The groups of one component (if group true / false) and the selected group's criteria
    (field, comparison, value, actions, char type, RC, SQ); `changed(groups)` after an edit."""

    changed = Signal(tuple)

    def __init__(self, choices: Choices) -> None:
        super().__init__()
        self.groups = RecordTable(GROUP_COLUMNS, choices, "Eligibility groups")
        self.criteria = RecordTable(CRITERION_COLUMNS, choices, "Eligibility criteria")
        self.add_group_button = push_button("Add group", "A new criteria group", self.add_group)
        self.remove_group_button = push_button("Remove group", "Remove the selected group and "
                                           "its criteria", self.remove_group)
        self.add_criterion_button = push_button("Add criterion", "A new criterion in the selected "
                                            "group", self.add_criterion)
        self.remove_criterion_button = push_button("Remove criterion", "Remove the selected "
                                               "criterion", self.remove_criterion)
        self.buttons = (self.add_group_button, self.remove_group_button,
                        self.add_criterion_button, self.remove_criterion_button)
        for button in self.buttons:
            button.setStyleSheet("QPushButton { padding: 3px 10px; }")
        self.error = label("", "inlineError", wrap=True)
        self.error.hide()
        self.hint = label("No groups: the component always applies. Groups run in sequence; "
                          "their criteria make a group true or false.", "hint", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(label("Groups", "sectionHeading"))
        top.addWidget(self.hint, 1)
        top.addWidget(self.add_group_button)
        top.addWidget(self.remove_group_button)
        layout.addLayout(top)
        layout.addWidget(self.groups, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(label("Criteria of the selected group", "sectionHeading"))
        bottom.addStretch(1)
        bottom.addWidget(self.add_criterion_button)
        bottom.addWidget(self.remove_criterion_button)
        layout.addLayout(bottom)
        layout.addWidget(self.criteria, 3)
        layout.addWidget(self.error)
        self.editable = True
        self.groups.current_changed.connect(lambda _r: self._show_criteria())
        self.groups.source.edited.connect(lambda _r: self._emit())
        self.criteria.source.edited.connect(lambda _r: self._criteria_edited())
        for table in (self.groups, self.criteria):
            table.source.refused.connect(lambda _r, _k, text: self._say(text))

    def set_groups(self, groups: Sequence[EligibilityGroup]) -> None:
        current = self.groups.current_row()
        self.groups.source.set_rows(groups)
        self.hint.setVisible(not groups)
        self.groups.select_row(current if 0 <= current < len(groups) else 0)
        self._show_criteria()

    def value(self) -> tuple[EligibilityGroup, ...]:
        return tuple(self.groups.source.rows)

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.groups.set_editable(editable)
        self.criteria.set_editable(editable)
        self._update_buttons()

    def _group_row(self) -> int:
        row = self.groups.current_row()
        return row if 0 <= row < len(self.groups.source.rows) else -1

    def _show_criteria(self) -> None:
        row = self._group_row()
        self.criteria.source.set_rows(self.groups.source.rows[row].criteria if row >= 0 else ())
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_group = self._group_row() >= 0
        self.add_group_button.setEnabled(self.editable)
        self.remove_group_button.setEnabled(self.editable and has_group)
        self.add_criterion_button.setEnabled(self.editable and has_group)
        self.remove_criterion_button.setEnabled(
            self.editable and has_group and self.criteria.current_row() >= 0)

    def add_group(self) -> None:
        rows = self.groups.source.rows
        self.groups.source.insert_row(len(rows), new_group(rows))
        self.groups.select_row(len(rows) - 1, 1)
        self._emit()

    def remove_group(self) -> None:
        row = self._group_row()
        if row >= 0:
            self.groups.source.remove_row(row)
            self._emit()

    def add_criterion(self) -> None:
        row = self._group_row()
        if row < 0:
            return
        group = self.groups.source.rows[row]
        self.groups.source.replace_row(row, replace(
            group, criteria=group.criteria + (new_criterion(group.criteria),)))
        self._show_criteria()
        self.criteria.select_row(len(group.criteria), 2)
        self._emit()

    def remove_criterion(self) -> None:
        row, crit = self._group_row(), self.criteria.current_row()
        if row < 0 or crit < 0:
            return
        group = self.groups.source.rows[row]
        self.groups.source.replace_row(row, replace(
            group, criteria=group.criteria[:crit] + group.criteria[crit + 1:]))
        self._show_criteria()
        self._emit()

    def _criteria_edited(self) -> None:
        row = self._group_row()
        if row >= 0:
            group = self.groups.source.rows[row]
            self.groups.source.replace_row(row, replace(
                group, criteria=tuple(self.criteria.source.rows)))
            self._emit()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _emit(self) -> None:
        self.error.hide()
        self.hint.setVisible(not self.groups.source.rows)
        self._update_buttons()
        self.changed.emit(self.value())


class ComponentEditor(QWidget):
    """Grid and forms of a version's components; `changed()` after every edit."""

    changed = Signal()

    def __init__(self, choices: Choices) -> None:
        super().__init__()
        self.saved: frozenset[int] = frozenset()
        self.editable = True
        self.confirm: Callable[[str], bool] = lambda _text: True
        self.grid = RecordTable(COMPONENT_COLUMNS, choices, "Rate components")
        self.grid.source.locked = self._locked
        self.grid.setMinimumHeight(160)
        self.forms: list[RecordForm] = []
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for title, keys in TABS:
            form = RecordForm([COMPONENT[k] for k in keys], choices,
                              per_row=3 if len(keys) > 6 else 2)
            form.locked = self._locked
            form.changed.connect(self._form_changed)
            self.forms.append(form)
            page = QWidget()
            box = QVBoxLayout(page)
            box.setContentsMargins(8, 4, 8, 4)
            box.addWidget(form)
            if keys is STEP_FIELDS:
                box.insertWidget(0, label(
                    "A stepped component prices only the quantity between low and high (empty "
                    "high: no upper bound). Leave both empty for no steps. A step RC multiplies "
                    "both bounds by an earlier FCPO component's value.", "hint", wrap=True))
            if keys is REFERENCE_FIELDS:
                self.referenced_by = label("", "hint", wrap=True)
                box.addWidget(self.referenced_by)
            box.addStretch(1)
            self.tabs.addTab(page, title)
        self.eligibility = EligibilityEditor(choices)
        self.eligibility.changed.connect(self._eligibility_changed)
        self.tabs.addTab(self.eligibility, "Eligibility")
        self.add_button = push_button("Add (Ins)", "A new component after the last one",
                                  self.add_component)
        self.duplicate_button = push_button("Duplicate", "A copy of the selected component in "
                                        "this version", self.duplicate_component)
        self.delete_button = push_button("Delete (Del)", "Delete the selected component",
                                     self.delete_component)
        self.count_label = label("", "hint")
        self.grid_message: FieldMessage | None = None
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(label("Rate components", "sectionHeading"))
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            button.setStyleSheet("QPushButton { padding: 3px 10px; }")
            bar.addWidget(button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(4)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.grid, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([420, 230])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.grid.current_changed.connect(lambda _r: self._show_current())
        self.grid.source.edited.connect(self._grid_edited)
        self.grid.source.refused.connect(
            lambda row, key, text: self.show_problem(self.grid.source.rows[row].sequence,
                                                     key, text))
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.grid)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_component)
        self._show_current()

    # --- contents

    def set_components(self, components: Sequence[RateComponent],
                       saved: Iterable[int] = ()) -> None:
        keep = self.current_sequence()
        self.saved = frozenset(saved)
        self.grid.source.set_problems({})
        self.grid.source.set_rows(sorted(components, key=lambda rc: rc.sequence))
        self._count()
        if not self.select_sequence(keep) and components:
            self.grid.select_row(0)
        self._show_current()

    def components(self) -> tuple[RateComponent, ...]:
        return tuple(sorted(self.grid.source.rows, key=lambda rc: rc.sequence))

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.grid.set_editable(editable)
        for form in self.forms:
            form.set_editable(editable)
        self.eligibility.set_editable(editable)
        self._update_buttons()

    def _locked(self, rc: RateComponent, col: Column) -> bool:
        """A saved component keeps its sequence (spec/20 §2.1: renumber with a merge)."""
        return col.key == "sequence" and rc.sequence in self.saved

    def _row_of(self, sequence: int | None) -> int:
        return next((i for i, rc in enumerate(self.grid.source.rows)
                     if rc.sequence == sequence), -1)

    def current(self) -> RateComponent | None:
        row = self.grid.current_row()
        return self.grid.source.rows[row] if 0 <= row < len(self.grid.source.rows) else None

    def current_sequence(self) -> int | None:
        rc = self.current()
        return rc.sequence if rc is not None else None

    def select_sequence(self, sequence: int | None) -> bool:
        row = self._row_of(sequence)
        if row < 0:
            return False
        self.grid.select_row(row)
        return True

    def _show_current(self) -> None:
        rc = self.current()
        for form in self.forms:
            form.set_record(rc)
        self.eligibility.set_groups(rc.eligibility if rc is not None else ())
        self.eligibility.set_editable(self.editable and rc is not None)
        if rc is None:
            self.referenced_by.setText("")
        else:
            refs = references_to(self.grid.source.rows, rc.sequence)
            self.referenced_by.setText(
                "This component is referenced by " + ", ".join(map(str, refs)) + "."
                if refs else "No other component refers to this one.")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current() is not None
        self.add_button.setEnabled(self.editable)
        self.duplicate_button.setEnabled(self.editable and has)
        self.delete_button.setEnabled(self.editable and has)

    def _count(self) -> None:
        n = len(self.grid.source.rows)
        self.count_label.setText(f"{n} component{'s' if n != 1 else ''}")

    # --- edits

    def _replace_current(self, rc: RateComponent) -> None:
        row = self.grid.current_row()
        if row < 0:
            return
        self.grid.source.replace_row(row, rc)
        self.clear_problems(rc.sequence)
        self._show_current()
        self.changed.emit()

    def _form_changed(self, rc: object) -> None:
        assert isinstance(rc, RateComponent)
        self._replace_current(rc)

    def _eligibility_changed(self, groups: tuple[EligibilityGroup, ...]) -> None:
        rc = self.current()
        if rc is not None:
            row = self.grid.current_row()
            self.grid.source.replace_row(row, replace(rc, eligibility=groups))
            for form in self.forms:
                form.set_record(self.grid.source.rows[row])
            self.changed.emit()

    def _grid_edited(self, row: int) -> None:
        if row == self.grid.current_row():
            self._show_current()
        self.clear_problems(self.grid.source.rows[row].sequence)
        self.changed.emit()

    def _next_sequence(self) -> int:
        return max((rc.sequence for rc in self.grid.source.rows), default=0) + 10

    def _insert(self, rc: RateComponent) -> None:
        rows = self.grid.source.rows
        at = next((i for i, other in enumerate(rows) if other.sequence > rc.sequence),
                  len(rows))
        self.grid.source.insert_row(at, rc)
        self._count()
        self.select_sequence(rc.sequence)
        self._show_current()
        self.changed.emit()

    def add_component(self) -> RateComponent | None:
        if not self.editable:
            return None
        rc = RateComponent(self._next_sequence(), NEW_TYPE, value_type=NEW_VALUE_TYPE)
        self._insert(rc)
        self.tabs.setCurrentIndex(0)
        self.forms[0].widgets["type"].setFocus()
        return rc

    def duplicate_component(self) -> RateComponent | None:
        rc = self.current()
        if rc is None or not self.editable:
            return None
        taken = {other.sequence for other in self.grid.source.rows}
        later = [s for s in taken if s > rc.sequence]
        seq = next((s for s in range(rc.sequence + 1, min(later, default=rc.sequence + 10))
                    if s not in taken), self._next_sequence())
        copy = replace(rc, sequence=seq)
        self._insert(copy)
        return copy

    def delete_component(self) -> bool:
        rc = self.current()
        if rc is None or not self.editable:
            return False
        refs = references_to(self.grid.source.rows, rc.sequence)
        note = (f" Components {', '.join(map(str, refs))} refer to it; remove those "
                "references too, or the version will not validate.") if refs else ""
        if not self.confirm(f"Delete component {component_label(rc)}?{note}"):
            return False
        row = self.grid.current_row()
        self.grid.source.remove_row(row)
        self._count()
        self.grid.select_row(min(row, len(self.grid.source.rows) - 1))
        self._show_current()
        self.changed.emit()
        return True

    # --- problems (validation, refused input)

    def set_problems(self, problems: dict[int, str]) -> None:
        self.grid.source.set_problems(problems)

    def clear_problems(self, sequence: int | None = None) -> None:
        problems = dict(self.grid.source.problems)
        if sequence is None:
            problems.clear()
        else:
            problems.pop(sequence, None)
        self.grid.source.set_problems(problems)
        for form in self.forms:
            form.clear_errors()
        if self.grid_message is not None:
            self.grid_message.clear()

    def show_problem(self, sequence: int | None, field: str | None, message: str) -> None:
        """Select the component, open the tab of `field` and say `message` under that field
        (under the grid when the problem names no field of a form)."""
        if sequence is not None:
            self.select_sequence(sequence)
            problems = dict(self.grid.source.problems)
            problems[sequence] = message
            self.grid.source.set_problems(problems)
        for i, form in enumerate(self.forms):
            if field is not None and field in form.widgets:
                self.tabs.setCurrentIndex(i)
                form.show_error(field, message)
                return
        if field == "eligibility":
            self.tabs.setCurrentIndex(ELIGIBILITY_TAB)
            self.eligibility._say(message)
            return
        if self.grid_message is None or self.grid_message.parent() is not self.window():
            self.grid_message = FieldMessage(self.grid, self.window())
        self.grid_message.show_message(message)

    def field_error(self, key: str) -> str:
        """The message shown under the form field `key` (empty when none)."""
        return next((form.error_text(key) for form in self.forms if key in form.widgets), "")

    def commit_typing(self) -> None:
        for form in self.forms:
            form.commit_all()
