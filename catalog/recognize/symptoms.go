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
	// Failure marks the group of words that say something is failing
	// at all, whatever the error (see Engine.failing); it names no codes.
	Failure bool `yaml:"failure"`
}

type lexicon struct {
	byCode  map[string][]string // code → its phrases, each language in turn
	failure []string            // phrases that say something is failing
}

// symptoms returns the lexicon. The file is ours and embedded: a
// malformed one is a programming error, caught by TestSymptomsLoad.
var symptoms = sync.OnceValue(func() lexicon {
	lex, err := parseSymptoms(symptomsFile)
	if err != nil {
		panic(err)
	}
	return lex
})

func parseSymptoms(file []byte) (lexicon, error) {
	var groups []symptomGroup
	if err := yaml.Unmarshal(file, &groups); err != nil {
		return lexicon{}, fmt.Errorf("symptoms.yaml: %s", yaml.FormatError(err, false, false))
	}
	lex := lexicon{byCode: map[string][]string{}}
	for i, g := range groups {
		switch {
		case len(g.Words) == 0:
			return lexicon{}, fmt.Errorf("symptoms.yaml: group %d needs words", i+1)
		case g.Failure && len(g.Codes) > 0:
			return lexicon{}, fmt.Errorf("symptoms.yaml: group %d: a failure group names no codes", i+1)
		case !g.Failure && len(g.Codes) == 0:
			return lexicon{}, fmt.Errorf("symptoms.yaml: group %d needs codes", i+1)
		}
		langs := make([]string, 0, len(g.Words))
		for l := range g.Words {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, l := range langs {
			if g.Failure {
				lex.failure = append(lex.failure, g.Words[l]...)
			}
			for _, code := range g.Codes {
				lex.byCode[code] = append(lex.byCode[code], g.Words[l]...)
			}
		}
	}
	return lex, nil
}
