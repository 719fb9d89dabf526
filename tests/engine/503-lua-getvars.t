# m.getvars(name [, tfns]): every value as {name = ..., value = ...}, named
# as rules log them ("ARGS:a"), in order, transformed; an unknown variable
# gives an empty table (and a level 1 message).
--CONF--
SecRuleEngine On
SecRuleScript getvars.lua "id:5031,phase:1,pass,log"
--FILE getvars.lua--
function main()
    local out = {}
    for i, v in ipairs(m.getvars("ARGS")) do
        out[#out + 1] = i .. ":" .. v.name .. "=" .. v.value
    end
    for _, v in ipairs(m.getvars("ARGS_NAMES", {"hexEncode"})) do
        out[#out + 1] = v.name .. "=" .. v.value
    end
    out[#out + 1] = "len=" .. m.getvars("ARGS.b", "length")[1].value
    out[#out + 1] = "none=" .. #m.getvars("ARGS.zzz")
    out[#out + 1] = "unknown=" .. #m.getvars("NOSUCHVAR")
    return table.concat(out, ";")
end
--REQUEST--
GET /index.html?a=1&b=two&a=3 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-contains ^ModSecurity: Unknown variable: NOSUCHVAR \[hostname
log-contains ^ModSecurity: Warning\. 1:ARGS:a=1;2:ARGS:b=two;3:ARGS:a=3;ARGS_NAMES:a=61;ARGS_NAMES:b=62;ARGS_NAMES:a=61;len=3;none=0;unknown=0 \[file
