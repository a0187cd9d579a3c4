"""kernel: money, time, ids, errors, state transitions, outbox, idempotency and the jobs facade.

It imports nothing else of Trispace's; every other package may import it.
"""
