"""A DNS server for the tests, on 127.0.0.1 (UDP and TCP, one port), serving TXT records from a
JSON file ({"name.": ["value", ...]}) that it reads again for every query, so that a test can
publish and remove records while it runs. Anything else is NXDOMAIN.

Usage: python3 dns_server.py RECORDS.json
Prints the port it listens on, then serves until its standard input closes (the test ended).
"""
import json
import sys

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class FileResolver(BaseResolver):
    def __init__(self, path):
        self.path = path

    def records(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                return {name.lower(): values for name, values in json.load(f).items()}
        except FileNotFoundError:
            return {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower()
        values = self.records().get(name)
        if values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype in (QTYPE.TXT, QTYPE.ANY):
            for value in values:
                # Values longer than one character-string are split, as DNS servers do.
                chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [""]
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(chunks), ttl=0))
        return reply


def main():
    resolver = FileResolver(sys.argv[1])
    quiet = DNSLogger(log="-request,-reply,-truncated,-error", prefix=False)
    udp = DNSServer(resolver, address="127.0.0.1", port=0, logger=quiet)
    port = udp.server.server_address[1]
    tcp = DNSServer(resolver, address="127.0.0.1", port=port, tcp=True, logger=quiet)
    udp.start_thread()
    tcp.start_thread()
    print(port, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
