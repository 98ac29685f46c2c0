"""What psutil and /proc tell about real processes (reload/processes.py, reload/master.py).

Real processes only: a titled one stands for a Gunicorn master or worker with
setproctitle (``exec -a`` sets its whole command line), an exited one for a process
that is gone.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload import processes
from django_zerodowntime.reload.master import Master, find_master, unpromoted_parent
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.watcher import FALLBACK_BOOT_SECONDS, is_booted


@pytest.fixture
def gone() -> int:
    """The PID of a process that has exited and been reaped."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def titled(title: str) -> subprocess.Popen[bytes]:
    """A process whose whole command line is ``title``, as setproctitle leaves it (``cat``
    needs no argument and waits on its open stdin)."""
    return subprocess.Popen(["bash", "-c", f"exec -a '{title}' cat"], stdin=subprocess.PIPE)


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; each is killed after it."""
    running: list[subprocess.Popen[bytes]] = []
    yield running
    for process in running:
        process.kill()
        process.wait()


def wait_for_title(pid: int, title: str) -> None:
    for _ in range(100):
        if processes.title(pid).startswith(title):
            return
        subprocess.run(["sleep", "0.02"], check=True)
    raise AssertionError(f"PID {pid} never took the title {title!r}")


def test_a_process_that_is_gone_tells_nothing(gone: int) -> None:
    assert processes.command_line(gone) == []
    assert not processes.looks_like_gunicorn(gone)
    assert processes.proc_title_role(gone) is None
    assert processes.environ(gone) is None
    assert processes.children(gone) == []
    assert processes.parent_pid(gone) is None
    assert processes.heartbeat_booted(gone) is None
    # Gone is not "no permission": the caller's liveness check reports it.
    assert processes.can_signal(gone)


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("gunicorn: master [site]", "master"),
        ("gunicorn: worker [site]", "worker"),
        ("gunicorn: arbiter [site]", None),
    ],
)
def test_setproctitle_titles_are_gunicorn_and_name_the_role(
    started: list[subprocess.Popen[bytes]], title: str, role: str | None
) -> None:
    process = titled(title)
    started.append(process)
    wait_for_title(process.pid, "gunicorn:")
    assert processes.looks_like_gunicorn(process.pid)
    assert processes.proc_title_role(process.pid) == role


def test_a_process_started_with_no_environment_has_none(
    started: list[subprocess.Popen[bytes]],
) -> None:
    process = subprocess.Popen(["sleep", "60"], env={})
    started.append(process)
    assert processes.environ(process.pid) is None


def test_a_pidfile_naming_a_titled_worker_is_refused(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    worker = titled("gunicorn: worker [site]")
    started.append(worker)
    wait_for_title(worker.pid, "gunicorn:")
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{worker.pid}\n")
    with pytest.raises(ExitError) as caught:
        find_master(pidfile)
    assert caught.value.code == ExitCode.BAD_INPUT
    assert "is a Gunicorn worker, not the master" in caught.value.message


def test_an_unreadable_pidfile_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ExitError) as caught:
        find_master(tmp_path)  # a directory
    assert caught.value.code == ExitCode.BAD_INPUT
    assert f"cannot read the pidfile {tmp_path}" in caught.value.message


def master_of(process: subprocess.Popen[bytes], tmp_path: Path) -> Master:
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{process.pid}\n")
    return find_master(pidfile)


def test_a_master_started_by_usr2_names_its_unpromoted_parent(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """Gunicorn's USR2 child gets GUNICORN_PID=<old master> in its environment."""
    parent = subprocess.Popen(
        [
            "bash",
            "-c",
            'GUNICORN_PID=$$ bash -c "exec -a gunicorn sleep 60" & wait',
        ]
    )
    started.append(parent)
    for _ in range(100):
        kids = processes.children(parent.pid)
        if kids and processes.looks_like_gunicorn(kids[0].pid):
            break
        subprocess.run(["sleep", "0.02"], check=True)
    child = processes.children(parent.pid)[0].pid
    new = find_master_pid(child, tmp_path)
    assert unpromoted_parent(new) == parent.pid
    # graceful_reload refuses to start another upgrade beside the unfinished one.
    with pytest.raises(CommandError) as caught:
        call_command("graceful_reload", "--pidfile", str(tmp_path / "gunicorn.pid"))
    assert caught.value.returncode == ExitCode.BAD_INPUT
    assert f"the old master (PID {parent.pid}) still runs" in str(caught.value)


def find_master_pid(pid: int, tmp_path: Path) -> Master:
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{pid}\n")
    return find_master(pidfile)


def test_a_master_with_no_gunicorn_parent_has_no_unpromoted_parent(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    process = titled("gunicorn: master [site]")
    started.append(process)
    wait_for_title(process.pid, "gunicorn:")
    assert unpromoted_parent(master_of(process, tmp_path)) is None


def test_a_master_titled_as_the_second_generation_names_its_parent(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """With setproctitle the environment is gone; the ``.2]`` title tells instead."""
    parent = subprocess.Popen(
        ["bash", "-c", "bash -c \"exec -a 'gunicorn: master [site.2]' sleep 60\" & wait"]
    )
    started.append(parent)
    for _ in range(100):
        kids = processes.children(parent.pid)
        if kids and processes.title(kids[0].pid).startswith("gunicorn:"):
            break
        subprocess.run(["sleep", "0.02"], check=True)
    child = processes.children(parent.pid)[0].pid
    assert unpromoted_parent(find_master_pid(child, tmp_path)) == parent.pid


def test_usr2_refuses_while_the_pidfile_2_names_a_live_master(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """Exit 2 and nothing signalled: another upgrade's new master is still running."""
    master, other = titled("gunicorn: master [site]"), titled("gunicorn: master [site]")
    started += [master, other]
    for process in (master, other):
        wait_for_title(process.pid, "gunicorn:")
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(f"{master.pid}\n")
    Path(f"{pidfile}.2").write_text(f"{other.pid}\n")
    with pytest.raises(CommandError) as caught:
        call_command(
            "graceful_reload", "--pidfile", str(pidfile), "--strategy", "usr2", "--no-preflight"
        )
    assert caught.value.returncode == ExitCode.BAD_INPUT
    assert f"another upgrade is in progress: {pidfile}.2 names a live Gunicorn master" in str(
        caught.value
    )
    assert master.poll() is None
    assert other.poll() is None
    assert Path(f"{pidfile}.2").exists()


def test_a_worker_proc_does_not_describe_counts_as_booted_after_the_fallback_time(
    gone: int,
) -> None:
    """No /proc fd listing (another namespace, or gone): booted once seen long enough."""
    worker = processes.ProcId(gone, 0.0)
    assert not is_booted(worker, first_seen=100.0, now=100.0)
    assert is_booted(worker, first_seen=100.0, now=100.0 + FALLBACK_BOOT_SECONDS)
