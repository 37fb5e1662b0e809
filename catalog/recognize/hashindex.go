package recognize

import "math/bits"

// hashIndex maps 64-bit hashes to small integers. The keys are already
// hashes (FNV-1a of a word, mix of several), so the table need not hash
// them again as a Go map does: Fibonacci hashing picks the slot and linear
// probing resolves collisions. It is built once and only read afterwards;
// on the recognition path it replaces several map lookups per word.
type hashIndex struct {
	keys  []uint64 // 0 marks an empty slot; key 0 is stored as 1
	vals  []int32
	shift uint
}

func newHashIndex[V any](m map[uint64]V, val func(V) int32) hashIndex {
	size := 1 << bits.Len(uint(2*len(m)+1)) // load factor at most one half
	t := hashIndex{keys: make([]uint64, size), vals: make([]int32, size), shift: uint(64 - bits.Len(uint(size-1)))}
	for k, v := range m {
		k = nonZero(k)
		i := t.slot(k)
		for t.keys[i] != 0 {
			i = (i + 1) & (len(t.keys) - 1)
		}
		t.keys[i], t.vals[i] = k, val(v)
	}
	return t
}

func nonZero(k uint64) uint64 {
	if k == 0 {
		return 1
	}
	return k
}

func (t *hashIndex) slot(k uint64) int { return int((k * 0x9e3779b97f4a7c15) >> t.shift) }

func (t *hashIndex) get(k uint64) (int32, bool) {
	k = nonZero(k)
	for i := t.slot(k); ; i = (i + 1) & (len(t.keys) - 1) {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}

func (t *hashIndex) has(k uint64) bool {
	_, ok := t.get(k)
	return ok
}
