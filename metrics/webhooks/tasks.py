"""Celery is one more interface to the services: the delivery task takes its id and owns only the
retries (a later message, at the time the service says)."""

from celery import shared_task

from metrics.webhooks.services import deliveries_overdue, delivery_attempt


@shared_task(name="metrics.webhooks.delivery_task")
def delivery_task(delivery_id: int) -> None:
    """Send one delivery if it is due and nobody else is; queue its next attempt after a failure."""
    outcome = delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None and not delivery_task.request.is_eager:
        # Without a broker (tasks run in-process) the sweep or HR's re-send tries again instead:
        # an eager retry would not wait.
        delivery_task.apply_async((delivery_id,), countdown=outcome.retry_in)


def delivery_enqueue(delivery_id: int) -> None:
    delivery_task.delay(delivery_id)


@shared_task(name="metrics.webhooks.deliveries_sweep_task")
def deliveries_sweep_task() -> None:
    """Every few minutes (Celery beat): queue again the deliveries whose message was lost."""
    for delivery_id in deliveries_overdue():
        delivery_task.delay(delivery_id)
