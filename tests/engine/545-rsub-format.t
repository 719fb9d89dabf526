# @rsub's parameter must be s, a delimiter, pattern, delimiter and
# replacement.
--CONF--
SecRuleEngine On
SecRule STREAM_OUTPUT_BODY "@rsub s/abc" "id:5251,phase:4,pass"
--EXPECT--
error-contains Error rsub operator format - must be s/regex/str/\[flags\]
