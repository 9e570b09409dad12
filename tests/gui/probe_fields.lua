-- luacheck: read globals Field Listener
-- Started by tests/gui with -X lua_script: writes, for each frame Wireshark's
-- GUI dissects, its SetAgentSessionState hLine values, read through the
-- field the plugin under test registers. Field.new fails (a Lua error
-- dialog) when that field does not exist.
local hline = Field.new("mstrp.setagentsessionstate.hline")
local out = assert(io.open(os.getenv("DISSECTGEN_GUI_OUT") .. "/hlines.txt", "w"))
-- A tap on every frame: a filter naming a Lua plugin's field cannot be
-- compiled while the scripts load, before the plugin's fields are registered.
local tap = Listener.new("frame")
function tap.packet(pinfo)
    for _, value in ipairs({ hline() }) do
        out:write(pinfo.number, " ", tostring(value.value), "\n")
    end
    out:flush()
end
