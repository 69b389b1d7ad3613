"""The bench's reply check (`workloads.redis_workload.bench.read_pipeline`): every reply of a
pipeline is accounted for, whether it arrives in one read that matches the clean round, split
across reads, or with an error in it."""

from __future__ import annotations

import socket
import time

import hiredis
import pytest

from workloads.redis_workload.bench import expected_replies, kernel_timeouts, read_pipeline


class Chunks:
    """A socket whose reads return the given chunks, then end of stream."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.reads = 0

    def recv(self, _size: int) -> bytes:
        self.reads += 1
        return self.chunks.pop(0) if self.chunks else b""


def test_expected_replies_are_the_clean_rounds_bytes() -> None:
    assert expected_replies("SET", 3, 2) == b"+OK\r\n+OK\r\n"
    assert expected_replies("GET", 3, 2) == b"$3\r\nxxx\r\n$3\r\nxxx\r\n"


def test_a_clean_round_is_one_read() -> None:
    sock = Chunks(expected_replies("SET", 3, 16))
    read_pipeline(sock, hiredis.Reader(), expected_replies("SET", 3, 16), 16, "SET")
    assert sock.reads == 1


def test_replies_split_across_reads_are_counted_one_by_one() -> None:
    clean = expected_replies("GET", 3, 4)
    sock = Chunks(clean[:7], clean[7:20], clean[20:])
    read_pipeline(sock, hiredis.Reader(), clean, 4, "GET")
    assert sock.reads == 3 and sock.chunks == []


def test_another_value_is_still_four_replies() -> None:
    sock = Chunks(b"$-1\r\n" * 4)  # GET of a missing key: not the clean round, still 4 replies
    read_pipeline(sock, hiredis.Reader(), expected_replies("GET", 3, 4), 4, "GET")
    assert sock.reads == 1


def test_an_error_reply_fails_the_bench() -> None:
    sock = Chunks(b"+OK\r\n-NOPERM this user has no permissions\r\n")
    with pytest.raises(RuntimeError, match="bench SET: NOPERM"):
        read_pipeline(sock, hiredis.Reader(), expected_replies("SET", 3, 2), 2, "SET")


def test_a_closed_connection_fails_the_bench() -> None:
    sock = Chunks(b"+OK\r\n")
    with pytest.raises(ConnectionError, match="closed"):
        read_pipeline(sock, hiredis.Reader(), expected_replies("SET", 3, 2), 2, "SET")


def test_kernel_timeouts_bound_a_read_from_a_silent_server() -> None:
    quiet, _other_end = socket.socketpair()
    with quiet, _other_end:
        kernel_timeouts(quiet, 1)
        assert quiet.gettimeout() is None  # no poll before each call: the kernel bounds it
        began = time.monotonic()
        with pytest.raises(OSError):
            quiet.recv(16)
        assert 0.5 < time.monotonic() - began < 5
