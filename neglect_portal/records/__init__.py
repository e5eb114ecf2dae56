"""The records kernel every app's records share.

- `versions`: the version number that refuses a stale save (`Versioned`, `record_update`,
  `StaleEdit`, the form mixin `CarriesVersion`).
- `stale`: what the one stale-edit page shows ("what is different", everything typed kept).
- `views`: the generic record form view.
- `once`: the one-time token that makes a create form sent twice create one record.
- `history`: a record's history as people read it.
- `presentation`: how a stored value or a form answer reads on screen.
- `forms`: the one form for reopening a locked record with a reason.
"""
