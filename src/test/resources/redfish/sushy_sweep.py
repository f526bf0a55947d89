"""A power-state sweep with sushy over many BMCs, with threads, as Ironic's conductor drives it.

Run by io.anvil.bench.RedfishBench (scripts/bench redfish). Reads "address system_path" lines from --targets;
round "cold": per BMC a new sushy.Sushy (service root, a session login), get_system, power_state; round "warm":
the same cached Sushy/System objects (as Ironic's SessionCache keeps them) refreshed, one GET each. sushy asks
for "Connection: close", so every request is a new TCP (and TLS) connection, as in Ironic. Prints one JSON line
per round: {"round", "bmcs", "threads", "seconds", "rate", "p50_ms", "p99_ms", "cpu_s", "errors", "states"}
(cpu_s: this process's CPU time over the round, all threads).
"""
import argparse
import collections
import concurrent.futures
import json
import logging
import time

import sushy
from sushy import auth as sushy_auth

logging.disable(logging.CRITICAL)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--targets", required=True)
    p.add_argument("--ca", default=None)
    p.add_argument("--user", default="admin")
    p.add_argument("--password", default="password")
    p.add_argument("--threads", type=int, default=32)
    a = p.parse_args()
    targets = [line.split() for line in open(a.targets) if line.strip()]
    verify = a.ca if a.ca else False
    systems = {}

    def cold(target):
        address, path = target
        conn = sushy.Sushy(address, verify=verify,
                           auth=sushy_auth.SessionOrBasicAuth(username=a.user, password=a.password))
        system = conn.get_system(path)
        systems[address] = system
        return system.power_state.value

    def warm(target):
        system = systems[target[0]]
        system.refresh()
        return system.power_state.value

    def timed(fn, target):
        start = time.monotonic()
        try:
            return fn(target)
        finally:
            latencies.append(time.monotonic() - start)

    for name, fn in (("cold", cold), ("warm", warm)):
        states = collections.Counter()
        errors = []
        latencies = []
        cpu = time.process_time()
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.threads) as pool:
            for f in [pool.submit(timed, fn, t) for t in targets]:
                try:
                    states[f.result()] += 1
                except Exception as e:  # counted and reported, the sweep goes on
                    errors.append(repr(e)[:200])
        seconds = time.monotonic() - start
        cpu = time.process_time() - cpu
        latencies.sort()
        print(json.dumps({"round": name, "bmcs": len(targets), "threads": a.threads,
                          "seconds": round(seconds, 3), "rate": round(len(targets) / seconds, 1),
                          "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
                          "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
                          "cpu_s": round(cpu, 2),
                          "errors": len(errors), "first_error": errors[0] if errors else None,
                          "states": dict(states)}), flush=True)


if __name__ == "__main__":
    main()
