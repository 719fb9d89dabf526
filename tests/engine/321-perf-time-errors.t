# SecRulePerfTime takes a positive number of microseconds.
--CONF--
SecRulePerfTime 0
--EXPECT--
error-contains Invalid value for SecRulePerfTime: 0
