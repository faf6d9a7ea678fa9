// qstrs the port needs beyond those found in its sources (none so far).
// Entries look like: Q(name)
