"""Capture plumbing that knows no protocol: pcap/pcapng frames, TCP
reassembly, SMB2 named pipes, DCE/RPC PDU framing and raw pcap writing.

Depends on scapy only; nothing here imports a protocol or the spec toolkit.
"""
