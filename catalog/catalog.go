package catalog

import (
	"embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

//go:generate go run ../cmd/syncerr catalog import data/reference-error-codes.md -o data/imported.json

// data holds the imported table, our enrichment and the localized messages.
//
//go:embed data/imported.json data/enrichment.yaml data/localized.yaml
var data embed.FS

// Catalog is a read-only set of error code entries. It is safe for
// concurrent use: nothing changes it after it is built, and every method
// hands out copies, so callers cannot reach the shared data.
type Catalog struct {
	entries []Entry
	index   map[string]int // lower-cased code or alias → position in entries
}

// Default returns the built-in catalog: Microsoft's table, our enrichment
// and the localized messages, all embedded. It is parsed once; later calls
// return the same catalog.
func Default() *Catalog { return defaultCatalog() }

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := embedded()
	if err != nil {
		// The embedded files are checked by this package's tests; failing
		// here means the binary was built from a broken tree.
		panic(fmt.Sprintf("catalog: embedded data: %v", err))
	}
	return c
})

// embedded builds the catalog from the embedded files.
func embedded() (*Catalog, error) {
	imported, err := data.ReadFile("data/imported.json")
	if err != nil {
		return nil, err
	}
	entries, err := decodeImported(imported)
	if err != nil {
		return nil, err
	}
	enrichment, err := data.ReadFile("data/enrichment.yaml")
	if err != nil {
		return nil, err
	}
	if err := enrich(entries, enrichment); err != nil {
		return nil, err
	}
	localized, err := data.ReadFile("data/localized.yaml")
	if err != nil {
		return nil, err
	}
	if err := localize(entries, localized); err != nil {
		return nil, err
	}
	return newCatalog(entries)
}

// newCatalog indexes entries by code and alias, refusing any name that
// would point at two entries.
func newCatalog(entries []Entry) (*Catalog, error) {
	c := &Catalog{entries: entries, index: make(map[string]int, 2*len(entries))}
	for i, e := range entries {
		for _, name := range append([]string{e.Code}, e.Aliases...) {
			key := strings.ToLower(name)
			if j, ok := c.index[key]; ok && j != i {
				return nil, fmt.Errorf("name %s is used by both %s and %s", name, entries[j].Code, e.Code)
			}
			c.index[key] = i
		}
	}
	return c, nil
}

// Entries returns a copy of every entry: the reference page's codes in its
// order, then codes that overlays added, in the order they were added.
func (c *Catalog) Entries() []Entry {
	out := make([]Entry, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.clone()
	}
	return out
}

// Lookup finds an entry by code or alias, ignoring case, and returns a copy.
func (c *Catalog) Lookup(code string) (Entry, bool) {
	i, ok := c.index[strings.ToLower(strings.TrimSpace(code))]
	if !ok {
		return Entry{}, false
	}
	return c.entries[i].clone(), true
}

// Codes returns every code, in the order of Entries.
func (c *Catalog) Codes() []string {
	codes := make([]string, len(c.entries))
	for i, e := range c.entries {
		codes[i] = e.Code
	}
	return codes
}

// clone copies e deeply, so that the copy shares no slice or map with e.
func (e Entry) clone() Entry {
	e.Steps = slices.Clone(e.Steps)
	e.Links = slices.Clone(e.Links)
	e.AADSTS = slices.Clone(e.AADSTS)
	e.ErrorCodes = slices.Clone(e.ErrorCodes)
	e.Related = slices.Clone(e.Related)
	e.Localized = maps.Clone(e.Localized)
	e.Aliases = slices.Clone(e.Aliases)
	e.Runbooks = slices.Clone(e.Runbooks)
	return e
}
