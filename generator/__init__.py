"""dissectgen: scapy layer classes -> model -> Wireshark Lua dissector."""
