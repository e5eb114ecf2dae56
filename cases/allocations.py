"""Access follows the person: when a worker moves agency or role, or is deactivated, the
children allocated to them are no longer theirs to see (connected in CasesConfig.ready)."""

from .services import allocations_end


def end_allocations_of_moved_worker(sender, *, user, reason: str, **kwargs) -> None:
    allocations_end(worker=user, reason=reason)
