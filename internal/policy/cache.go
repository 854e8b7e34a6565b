package policy

import "sync"

// Cache parses each distinct policy document once. An organization attaches
// a handful of SCPs to thousands of accounts; checks that build every
// account's levels through one Cache share the compiled policies (and the
// parse errors). The zero value is ready to use and safe for concurrent use.
type Cache struct {
	mu sync.Mutex
	m  map[cacheKey]*cacheEntry
}

type cacheKey struct {
	name, doc string
}

type cacheEntry struct {
	once sync.Once
	p    *Policy
	err  error
}

// Parse returns the compiled policy for (name, doc), parsing it on first use.
func (c *Cache) Parse(name string, doc []byte) (*Policy, error) {
	k := cacheKey{name, string(doc)}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[cacheKey]*cacheEntry{}
	}
	e, ok := c.m[k]
	if !ok {
		e = &cacheEntry{}
		c.m[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.p, e.err = Parse(name, doc) })
	return e.p, e.err
}

// Len returns the number of distinct documents seen.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
