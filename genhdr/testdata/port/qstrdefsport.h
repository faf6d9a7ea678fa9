// Port qstrs with awkward characters, to exercise escaping and hashing.
Q(genhdr-test)
Q(a.b/c:d)
Q(<port>)
Q(\r\n)
Q(über)
Q( )
