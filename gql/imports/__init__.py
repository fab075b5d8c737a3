"""Association imports: bulk creation as durable jobs.

A job is stored before it is answered (``store.py``: one row per job, one per input), then run
window by window (``runner.py``): a window's items are marked sent, sent through the
integration's batch creation (``creation.py``), and their outcomes recorded with the job's
checkpoint in one transaction. A process that dies mid-window resumes at the checkpoint; the
window in flight is sent again where the provider's create is idempotent, and reconciled first
(existing pairs are not sent again) where it is not.
"""
