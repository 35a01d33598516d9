"""handoff: checked handoffs between departments (移交) — checklists now; submit, sign-off and gates next."""
