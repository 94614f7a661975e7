"""Jobs: the queue interface (:mod:`.queue`), its database backend (:mod:`.embedded`),
the worker process (:mod:`.worker`) and the supervisor that keeps workers running (:mod:`.supervisor`)."""
