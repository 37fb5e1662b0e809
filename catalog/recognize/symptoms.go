package recognize

import (
	_ "embed"
	"fmt"
	"sort"
	"sync"

	"github.com/goccy/go-yaml"
)

// symptomsFile is the multilingual lexicon of symptom words; see the
// comment at its top.
//
//go:embed symptoms.yaml
var symptomsFile []byte

type symptomGroup struct {
	Codes []string            `yaml:"codes"`
	Words map[string][]string `yaml:"words"` // language → phrases
}

// symptoms returns the lexicon's phrases by code, each language in turn.
// The file is ours and embedded: a malformed one is a programming error,
// caught by TestSymptomsLoad.
var symptoms = sync.OnceValue(func() map[string][]string {
	byCode, err := parseSymptoms(symptomsFile)
	if err != nil {
		panic(err)
	}
	return byCode
})

func parseSymptoms(file []byte) (map[string][]string, error) {
	var groups []symptomGroup
	if err := yaml.Unmarshal(file, &groups); err != nil {
		return nil, fmt.Errorf("symptoms.yaml: %s", yaml.FormatError(err, false, false))
	}
	byCode := map[string][]string{}
	for i, g := range groups {
		if len(g.Codes) == 0 || len(g.Words) == 0 {
			return nil, fmt.Errorf("symptoms.yaml: group %d needs codes and words", i+1)
		}
		langs := make([]string, 0, len(g.Words))
		for l := range g.Words {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, code := range g.Codes {
			for _, l := range langs {
				byCode[code] = append(byCode[code], g.Words[l]...)
			}
		}
	}
	return byCode, nil
}
