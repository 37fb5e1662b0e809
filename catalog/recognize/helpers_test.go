package recognize

import (
	"sync"
	"testing"

	"github.com/syncerr/syncerr/catalog"
)

// defaultEngine is the engine over the embedded catalog, built once for
// all tests and benchmarks.
var defaultEngine = sync.OnceValue(func() *Engine { return New(catalog.Default()) })

func engine(testing.TB) *Engine { return defaultEngine() }
