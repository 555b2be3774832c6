"""The pipelines bench's report (tests/bench/pipelines.sh): wall times and targets, then whether
Berth and gitlab-ci-local agree on the jobs' outcomes and on the variables each job sees.

Berth's side is the JSON of `pipeline_bench berth`; the peer's is its console output with
`--no-color --max-job-name-padding 0`: `name > line` for job output, ` PASS  name`,
` WARN  name  pre_script` and ` FAIL  name` in its closing summary. Exits 1 when a target is
missed, a bench job did not succeed, or the tools differ where no reason below explains it.
"""

import argparse
import json
import re
import statistics
import sys

# Where the two tools may differ, and why. Ids, times and URLs built from them are invented by
# each local tool (no GitLab instance hands them out); the rest are documented deviations.
EXPLAINED = {
    "CI_PIPELINE_ID": "invented locally by each tool (Berth: the run's number; the peer: its own counter)",
    "CI_PIPELINE_IID": "invented locally by each tool",
    "CI_PIPELINE_URL": "contains CI_PIPELINE_ID",
    "CI_JOB_ID": "invented locally by each tool",
    "CI_JOB_URL": "contains CI_JOB_ID",
    "CI_JOB_STARTED_AT": "a time",
    "CI_PIPELINE_CREATED_AT": "a time",
    "CI_COMMIT_TIMESTAMP": "the same commit time in another time zone notation",
    "CI_JOB_TOKEN": "a token each tool makes up",
    "CI_JOB_JWT": "a token each tool makes up",
    "CI_BUILD_ID": "deprecated alias of CI_JOB_ID",
    "CI_CONCURRENT_ID": "a per-runner slot number",
    "CI_CONCURRENT_PROJECT_ID": "a per-runner slot number",
    "CI_RUNNER_ID": "describes the runner",
    "CI_RUNNER_DESCRIPTION": "describes the runner",
    "CI_RUNNER_TAGS": "describes the runner",
    "CI_RUNNER_VERSION": "describes the runner",
    "CI_RUNNER_REVISION": "describes the runner",
    "CI_RUNNER_SHORT_TOKEN": "describes the runner",
    "CI_RUNNER_EXECUTABLE_ARCH": "describes the runner",
    "CI_SERVER_VERSION": "the GitLab version each tool pretends to be",
    "CI_SERVER_VERSION_MAJOR": "the GitLab version each tool pretends to be",
    "CI_SERVER_VERSION_MINOR": "the GitLab version each tool pretends to be",
    "CI_SERVER_VERSION_PATCH": "the GitLab version each tool pretends to be",
    "CI_SERVER_REVISION": "the GitLab version each tool pretends to be",
    "CI_PROJECT_ID": "a GitLab database id; each tool makes one up",
    "CI_PROJECT_NAMESPACE_ID": "a GitLab database id; each tool makes one up",
    "CI_USER_ID": "a GitLab database id; each tool makes one up",
    "CI_REGISTRY_PASSWORD": "a token each tool makes up (Berth: the chosen login's, masked)",
    "CI_DEPENDENCY_PROXY_PASSWORD": "a token each tool makes up",
    "CI_DEPENDENCY_PROXY_USER": "a login each tool makes up",
    "CI_REGISTRY_USER": "Berth: the login chosen for the project; GitLab: gitlab-ci-token",
    "CI_COMMIT_MESSAGE": "the peer does not read the commit: it sets a fixed \"Commit Title\"; Berth sets the commit's message, as GitLab",
    "CI_COMMIT_TITLE": "the peer does not read the commit: it sets a fixed \"Commit Title\"; Berth sets the message's first line, as GitLab",
    "CI_COMMIT_DESCRIPTION": "the peer sets a fixed \"More commit text\"; Berth the message after its first line (empty here), as GitLab",
    "CI_JOB_NAME": "parallel and matrix jobs: the peer names them `job: [1/2]` and `job: [a,b]`, GitLab and Berth `job 1/2` and `job: [a, b]`",
    "CI_JOB_NAME_SLUG": "GitLab replaces every character but a-z0-9 with `-` without squeezing runs (Berth too); the peer squeezes them",
    "CI_PROJECT_VISIBILITY": "a GitLab project setting no local tool can know (Berth says private, the peer internal)",
    "CI_REGISTRY": "the GitLab instance's registry host, which no local tool can know: Berth guesses registry.<host> (gitlab.com's layout), the peer local-registry.<host> (its own --registry)",
    "CI_REGISTRY_IMAGE": "follows CI_REGISTRY",
    "GITLAB_CI": "the peer sets \"false\"; a GitLab runner (and Berth) sets \"true\" (conformance README: known upstream difference)",
}

# Variables only one tool sets, and why.
ONE_SIDED = {
    # GitLab sets these and Berth does too; the peer leaves them out.
    "CI_COMMIT_AUTHOR": "GitLab sets it; the peer does not",
    "CI_COMMIT_BEFORE_SHA": "GitLab sets it (zeros for a new branch); the peer does not",
    "CI_CONFIG_PATH": "GitLab sets it; the peer does not",
    "CI_REPOSITORY_URL": "GitLab sets it; the peer does not",
    "CI_SERVER": "GitLab sets it (\"yes\"); the peer does not",
    "CI_SERVER_NAME": "GitLab sets it (\"GitLab\"); the peer does not",
    "CI_SERVER_SHELL_SSH_HOST": "GitLab sets it (the instance's SSH host); the peer sets only CI_SERVER_SHELL_SSH_PORT",
    # The peer sets these where GitLab does not.
    "CI_ENVIRONMENT_ACTION": "GitLab sets CI_ENVIRONMENT_* only for a job with an environment (Berth too); the peer sets them empty for every job",
    "CI_ENVIRONMENT_NAME": "as CI_ENVIRONMENT_ACTION",
    "CI_ENVIRONMENT_SLUG": "as CI_ENVIRONMENT_ACTION",
    "CI_ENVIRONMENT_TIER": "as CI_ENVIRONMENT_ACTION",
    "CI_ENVIRONMENT_URL": "as CI_ENVIRONMENT_ACTION",
    "CI_PROJECT_ID": "a GitLab database id; the peer makes one up, Berth leaves it out",
    "CI_DEPENDENCY_PROXY_SERVER": "GitLab's dependency proxy, which does not exist offline; Berth leaves CI_DEPENDENCY_PROXY_* out",
    "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX": "as CI_DEPENDENCY_PROXY_SERVER",
    "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX": "as CI_DEPENDENCY_PROXY_SERVER",
}


def gitlab_name(name):
    """The peer names `parallel` jobs `job: [1/2]` and matrix jobs `job: [a,b]`; GitLab (and
    Berth) name them `job 1/2` and `job: [a, b]` (the conformance README lists this)."""
    m = re.fullmatch(r"(.*): \[(\d+)/(\d+)\]", name)
    if m:
        return f"{m[1]} {m[2]}/{m[3]}"
    m = re.fullmatch(r"(.*): \[(.*)\]", name)
    if m:
        return f"{m[1]}: [{', '.join(v.strip() for v in m[2].split(','))}]"
    return name


def median(values):
    return statistics.median(values) if values else float("nan")


def peer_outcomes(text):
    """Job outcomes from the peer's closing summary; jobs it did not start are absent."""
    out = {}
    for line in text.splitlines():
        for mark, outcome in ((" PASS ", "success"), (" WARN ", "warning"), (" FAIL ", "failed")):
            if line.startswith(mark):
                name = line[len(mark):].strip()
                if outcome == "warning":
                    if not name.endswith("pre_script"):
                        break  # an after_script warning: the job's own outcome is listed apart
                    name = name[: -len("pre_script")].strip()
                out[gitlab_name(name)] = outcome
    return out


def peer_variables(text):
    """`@@ NAME=value` lines per job from the peer's console output."""
    out = {}
    for line in text.splitlines():
        name, sep, rest = line.partition(" > @@ ")
        if sep:
            key, _, value = rest.partition("=")
            out.setdefault(gitlab_name(name.strip()), {})[key] = value
    return out


def berth_variables(jobs):
    out = {}
    for job in jobs:
        for line in job["log"].splitlines():
            if line.startswith("@@ "):
                key, _, value = line[3:].partition("=")
                out.setdefault(job["name"], {})[key] = value
    return out


def main():
    p = argparse.ArgumentParser()
    for arg in ("header", "times", "berth-bench", "peer-bench", "berth-agree", "peer-agree"):
        p.add_argument("--" + arg, required=True)
    a = p.parse_args()
    ok = True
    print(a.header)

    times = {}
    for line in open(a.times):
        who, seconds = line.split()
        times.setdefault(who, []).append(float(seconds))
    berth, peer, floor = (median(times.get(w, [])) for w in ("berth", "peer", "floor"))
    ratio = berth / peer
    overhead = (berth - floor) / floor
    print("\nbench pipeline: 6 jobs, 2 stages (3 + 3, 3 at once), a service, 8 MiB artifacts per build job")
    print(f"  runs: {len(times.get('berth', []))} each; seconds, median (all: "
          + "; ".join(f"{w} {' '.join(f'{s:.2f}' for s in times.get(w, []))}" for w in ("floor", "berth", "peer")) + ")")
    print(f"  floor            {floor:6.2f} s  bare Engine API: per job one container running the script, network and service when it has one")
    print(f"  Berth            {berth:6.2f} s")
    print(f"  gitlab-ci-local  {peer:6.2f} s")
    target_ratio = ratio <= 0.7
    target_overhead = overhead <= 0.20
    print(f"  Berth / gitlab-ci-local = {ratio:.2f}  (target <= 0.70)  {'PASS' if target_ratio else 'FAIL'}")
    print(f"  Berth over the floor = {overhead * 100:+.0f} %  (target <= 20 %)  {'PASS' if target_overhead else 'FAIL'}")
    ok &= target_ratio and target_overhead
    if times.get("floor0") and times.get("berth0"):
        floor0, berth0 = median(times["floor0"]), median(times["berth0"])
        print(f"  with empty artifacts: floor {floor0:.2f} s, Berth {berth0:.2f} s, Berth over the floor = "
              f"{(berth0 - floor0) / floor0 * 100:+.0f} %  (not a target: the share of the overhead that is not the"
              " artifacts' copies, which the floor does not make)")

    bench_jobs = json.load(open(a.berth_bench))["jobs"]
    bad = [j["name"] for j in bench_jobs if j["outcome"] != "success"]
    peer_bad = [n for n, o in peer_outcomes(open(a.peer_bench).read()).items() if o != "success"]
    peer_count = len(peer_outcomes(open(a.peer_bench).read()))
    print(f"  jobs succeeded: Berth {len(bench_jobs) - len(bad)}/{len(bench_jobs)}, gitlab-ci-local {peer_count - len(peer_bad)}/6")
    if bad or peer_bad or peer_count != 6:
        print(f"  FAIL: the bench pipeline did not succeed (Berth: {bad or 'ok'}; gitlab-ci-local: {peer_bad or peer_count})")
        ok = False

    agree = json.load(open(a.berth_agree))["jobs"]
    peer_text = open(a.peer_agree).read()
    b_out = {j["name"]: j["outcome"] for j in agree}
    p_out = peer_outcomes(peer_text)
    print("\nagreement pipeline (tests/bench/pipelines/agree): job outcomes")
    same = 0
    for name in b_out:
        theirs = p_out.get(name, "not run")
        match = theirs == b_out[name]
        same += match
        print(f"  {'=' if match else 'x'} {name:28} Berth {b_out[name]:8} gitlab-ci-local {theirs}")
    extra = sorted(set(p_out) - set(b_out))
    for name in extra:
        print(f"  x {name:28} Berth (no such job) gitlab-ci-local {p_out[name]}")
    print(f"  outcomes agree: {same}/{len(b_out) + len(extra)}")
    ok &= same == len(b_out) and not extra

    b_vars, p_vars = berth_variables(agree), peer_variables(peer_text)
    print("\nagreement pipeline: variables each job sees (CI_*, GITLAB_CI, CI, and the file's own)")
    compared = agreed = explained = 0
    unexplained = []
    only = {}
    for job in sorted(set(b_vars) & set(p_vars)):
        mine, theirs = b_vars[job], p_vars[job]
        for key in sorted(set(mine) | set(theirs)):
            if key not in mine or key not in theirs:
                only.setdefault(key, ("Berth" if key in mine else "gitlab-ci-local", mine.get(key, theirs.get(key))))
                continue
            compared += 1
            if mine[key] == theirs[key]:
                agreed += 1
            elif key in EXPLAINED:
                explained += 1
            else:
                unexplained.append((job, key, mine[key], theirs[key]))
    jobs_both = len(set(b_vars) & set(p_vars))
    print(f"  {jobs_both} jobs printed by both; {compared} values compared: {agreed} equal, {explained} differ as explained below, {len(unexplained)} differ unexplained")
    differing = {k for k in EXPLAINED if any(k in b_vars[j] and k in p_vars.get(j, {}) and b_vars[j][k] != p_vars[j][k] for j in b_vars)}
    for key in sorted(differing):
        print(f"    {key}: {EXPLAINED[key]}")
    for job, key, mine, theirs in unexplained:
        print(f"  x {job}: {key} Berth {mine!r} gitlab-ci-local {theirs!r}")
    if only:
        print("  set by one tool only:")
        for key, (who, value) in sorted(only.items()):
            reason = ONE_SIDED.get(key) or EXPLAINED.get(key)
            print(f"  {' ' if reason else 'x'} {key} ({who}: {value!r}): {reason or 'unexplained'}")
    one_sided_unexplained = [k for k in only if k not in ONE_SIDED and k not in EXPLAINED]
    print(f"  {len(only)} set by one tool only, {len(one_sided_unexplained)} of them unexplained")
    ok &= not unexplained and not one_sided_unexplained and jobs_both == len(b_vars)
    print(f"\npipelines bench: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
