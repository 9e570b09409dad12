"""Facts about Wireshark that the generated Lua relies on."""

# DCE/RPC interfaces Wireshark dissects itself, by interface UUID -> the
# filter name of that dissector's protocol item. Its item spans the whole
# (reassembled) stub of every call, so a postdissector can find the stub
# there. tapsrv: epan/dissectors/packet-dcerpc-tapi.c, "tapi".
BUILTIN_DCERPC_DISSECTORS = {
    "2f5f6520-ca46-1067-b319-00dd010662da": "tapi",
}
