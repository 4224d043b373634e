"""Real concurrency for tests: threads with their own database connections, released together."""

import threading

from django.db import connection


def run_concurrently(work, workers: int) -> None:
    """Run `work(index)` in `workers` threads started at the same instant; re-raise what any raised."""
    barrier = threading.Barrier(workers)
    errors = []

    def worker(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # handed to the caller below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
