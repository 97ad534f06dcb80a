#!/usr/bin/env python3
"""Every byte on the wire is reported: a loopback packet capture of a `secinfer local` run against
the merged breakdown's `wire.total_bytes` (profiling/README.md, "Bytes on the wire").

usage: wire_capture_test.py --secinfer PATH [--keep DIR]

Runs `secinfer local --model bert-tiny --seq 64 --runs 2 --warmup 0 --backend cpu --system sigma`
under `tcpdump -i lo`, counts the TCP payload bytes of the run's connection (both directions) and
checks that they equal the reported online + offline + control bytes within 1%.

The payload of each direction is measured from TCP sequence numbers (last byte acknowledged in
the stream minus the first), so a packet the capture missed or a retransmission does not change
it; the plain sum of the captured payload lengths is printed beside it.

Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE) when tcpdump is missing or this
is not root (a capture needs CAP_NET_RAW): the reason is printed.
"""
import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
TOLERANCE = 0.01


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(SKIP)


def tcp_segments(pcap_path):
    """Yields (src, sport, dst, dport, flags, seq, payload_len) of every TCP segment (IPv4/IPv6)
    of a classic pcap file; payload_len comes from the IP header, so a short snap length is
    enough."""
    with open(pcap_path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            end = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            end = ">"
        else:
            raise ValueError(f"{pcap_path}: not a pcap file (magic {magic:#x})")
        linktype = struct.unpack(end + "I", head[20:24])[0] & 0x0FFFFFFF
        link_len = {1: 14, 113: 16, 276: 20, 0: 4, 108: 4, 101: 0, 12: 0}.get(linktype)
        if link_len is None:
            raise ValueError(f"{pcap_path}: unsupported link type {linktype}")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            incl = struct.unpack(end + "I", rec[8:12])[0]
            data = f.read(incl)
            ip = data[link_len:]
            if len(ip) < 20:
                continue
            version = ip[0] >> 4
            if version == 4:
                ihl = (ip[0] & 0x0F) * 4
                total = struct.unpack("!H", ip[2:4])[0]
                if ip[9] != 6:
                    continue
                src, dst = ip[12:16], ip[16:20]
                tcp, ip_payload = ip[ihl:], total - ihl
            elif version == 6:
                if ip[6] != 6 or len(ip) < 40:  # extension headers: not on our loopback
                    continue
                src, dst = ip[8:24], ip[24:40]
                tcp, ip_payload = ip[40:], struct.unpack("!H", ip[4:6])[0]
            else:
                continue
            if len(tcp) < 14:
                continue
            sport, dport, seq = struct.unpack("!HHI", tcp[:8])
            doff = (tcp[12] >> 4) * 4
            flags = tcp[13]
            yield src, sport, dst, dport, flags, seq, ip_payload - doff


def payload_bytes(pcap_path, port):
    """Per direction of the connection(s) on `port`: (bytes by sequence numbers, captured sum)."""
    flows = {}
    for src, sport, dst, dport, flags, seq, n in tcp_segments(pcap_path):
        if port not in (sport, dport):
            continue
        fl = flows.setdefault((src, sport, dst, dport), {"isn": None, "end": 0, "sum": 0})
        if flags & 0x02:  # SYN: the stream starts at seq + 1
            fl["isn"] = seq
            continue
        if n <= 0:
            continue
        fl["sum"] += n
        if fl["isn"] is not None:
            fl["end"] = max(fl["end"], (seq - fl["isn"] - 1) % 2**32 + n)
    return {k: (v["end"] if v["isn"] is not None else v["sum"], v["sum"]) for k, v in flows.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--secinfer", required=True, help="the secinfer executable")
    ap.add_argument("--keep", help="keep the capture and the logs in this folder")
    a = ap.parse_args()
    tcpdump = shutil.which("tcpdump") or next(
        (p for p in ("/usr/sbin/tcpdump", "/usr/bin/tcpdump") if os.access(p, os.X_OK)), None)
    if tcpdump is None:
        skip("tcpdump not found (apt-get install -y tcpdump, or scripts/install_deps.sh)")
    if os.geteuid() != 0:
        skip("not root: a packet capture on lo needs root (CAP_NET_RAW); run the test as root")
    if not os.access(a.secinfer, os.X_OK):
        print(f"FAIL: {a.secinfer} is not an executable: build the target secinfer")
        return 1

    work = a.keep or tempfile.mkdtemp(prefix="secinfer-capture-")
    os.makedirs(work, exist_ok=True)
    pcap = os.path.join(work, "lo.pcap")
    out = os.path.join(work, "out")
    # Headers only (-s 128): payload lengths come from the IP headers. A large buffer (-B, KiB)
    # keeps drops away; the sequence-number count does not depend on them anyway.
    dump = subprocess.Popen([tcpdump, "-i", "lo", "-n", "-s", "128", "-B", "65536", "-U", "-w", pcap,
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    run = None
    try:
        deadline = time.time() + 10
        while not (os.path.exists(pcap) and os.path.getsize(pcap) >= 24):
            if dump.poll() is not None:
                err = dump.stderr.read().strip()
                if "permission" in err.lower() or "operation not permitted" in err.lower():
                    skip(f"tcpdump cannot capture here ({err})")
                print(f"FAIL: tcpdump exited: {err}")
                return 1
            if time.time() > deadline:
                skip("tcpdump did not start capturing within 10 s")
            time.sleep(0.1)
        time.sleep(0.5)
        cmd = [a.secinfer, "local", "--model", "bert-tiny", "--seq", "64", "--runs", "2", "--warmup", "0",
               "--backend", "cpu", "--system", "sigma", "--out", out]
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
        time.sleep(1.0)  # the last segments reach the capture file
    finally:
        dump.send_signal(signal.SIGINT)
        try:
            _, err = dump.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            dump.kill()
            _, err = dump.communicate()
    if run is None:
        print("FAIL: secinfer local did not run")
        return 1
    if run.returncode != 0:
        print(run.stdout[-4000:])
        print(f"FAIL: secinfer local exited {run.returncode}")
        return 1
    m = re.search(r"over 127\.0\.0\.1:(\d+)", run.stdout)
    if not m:
        print(run.stdout[-4000:])
        print("FAIL: the run's port is not in the output of secinfer local")
        return 1
    port = int(m.group(1))
    merged = json.load(open(os.path.join(out, "breakdown_merged.json")))
    wire = merged.get("wire")
    if not wire:
        print("FAIL: breakdown_merged.json has no 'wire' block: rebuild secinfer")
        return 1
    flows = payload_bytes(pcap, port)
    captured = sum(v[0] for v in flows.values())
    captured_sum = sum(v[1] for v in flows.values())
    reported, online_median = wire["total_bytes"], merged["total"]["bytes"]
    drops = re.search(r"(\d+) packets? dropped by kernel", err or "")
    print(f"port {port}: {len(flows)} directions; captured TCP payload {captured:,} B by sequence "
          f"numbers ({captured_sum:,} B summed over the captured segments; "
          f"{drops.group(1) if drops else '?'} packets dropped by the kernel)")
    print(f"reported: online {wire['online_bytes']:,} + offline {wire['offline_bytes']:,} + control "
          f"{wire['control_bytes']:,} = {reported:,} B over {wire['runs']} runs "
          f"(total.bytes, the median run online only: {online_median:,} B)")
    if captured == 0:
        print("FAIL: nothing captured on the run's port")
        return 1
    diff = (captured - reported) / captured
    print(f"difference: {captured - reported:+,} B ({100 * diff:+.3f}%), tolerance {100 * TOLERANCE:.0f}%")
    if abs(diff) > TOLERANCE:
        print("FAIL: the reported bytes do not match the wire")
        return 1
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
