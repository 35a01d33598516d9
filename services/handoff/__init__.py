"""handoff: checked handoffs between departments (移交) — checklists, submit / sign / return, info pending, packages, leavers, agreed requirements, gated steps, measures and the weekly audit."""
