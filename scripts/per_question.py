#!/usr/bin/env python3
"""Per-question latency of a line-in, line-out answerer (`summit-bot ask --json -`,
scripts/dense_baseline.py, scripts/bm25_baseline.py), one question at a time as a chat sends
them: the command is started once and every question is asked once untimed (start-up, model
load and the passages' vectors are not counted: a bot that has been up a while), then each
question is written only after the previous answer line came back, and the time from writing
to reading its answer is recorded. Prints the
median, p90, p99 and max in milliseconds, and the CPU time the process used in all (user +
system, from /proc, start-up included).

With `--first-time`, only one question (the first) is asked untimed, to wait out the start-up,
and the rest are timed the first time they are asked: a bot meeting new questions, whose
candidates' passage vectors may not be embedded yet (at a million passages most are not).

    python3 scripts/per_question.py [--first-time] QUESTIONS.txt -- target/release/summit-bot ask --json -
"""

import os
import subprocess
import sys
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime


def percentile(sorted_values, p):
    rank = max(1, min(len(sorted_values), -(-len(sorted_values) * p // 100)))
    return sorted_values[int(rank) - 1]


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    options = sys.argv[1:split]
    first_time = "--first-time" in options
    files = [o for o in options if o != "--first-time"]
    if len(files) != 1:
        sys.exit(__doc__)
    questions = [q for q in open(files[0], encoding="utf-8").read().splitlines() if q.strip()]
    command = sys.argv[split + 1 :]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    # A first, untimed pass: start-up, load, and every passage the questions reach embedded
    # (only the first question with --first-time, which then times the others' first asking).
    untimed = questions[:1] if first_time else questions
    if first_time:
        questions = questions[1:]
    for question in untimed:
        child.stdin.write(question + "\n")
        child.stdin.flush()
        child.stdout.readline()
    times = []
    for question in questions:
        start = time.perf_counter()
        child.stdin.write(question + "\n")
        child.stdin.flush()
        if not child.stdout.readline():
            sys.exit("the command stopped answering")
        times.append((time.perf_counter() - start) * 1000)
    cpu = cpu_seconds(child.pid)
    child.stdin.close()
    child.wait()
    times.sort()
    print(
        f"{len(times)} questions one at a time: median {percentile(times, 50):.2f} ms, "
        f"p90 {percentile(times, 90):.2f} ms, p99 {percentile(times, 99):.2f} ms, "
        f"max {times[-1]:.2f} ms; process CPU {cpu:.2f} s"
    )


if __name__ == "__main__":
    main()
