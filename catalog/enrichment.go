package catalog

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// enrichment is what we add to one imported code, in our own words
// (data/enrichment.yaml, keyed by code). It lives apart from the imported
// table so that a re-import never loses it.
type enrichment struct {
	Title      string   `yaml:"title"`
	Summary    string   `yaml:"summary"`
	Category   Category `yaml:"category"`
	AutoRetry  bool     `yaml:"auto_retry"`
	Steps      []string `yaml:"steps"`
	Links      []Link   `yaml:"links"`
	AADSTS     []string `yaml:"aadsts"`
	ErrorCodes []string `yaml:"error_codes"`
	Related    []string `yaml:"related"`
}

// enrich merges the enrichment file into entries. A code without
// enrichment is left bare, and enrichment for a code the page no longer
// lists is ignored: a fresh import must not break the build, and this
// package's tests insist both sides match.
func enrich(entries []Entry, file []byte) error {
	var byCode map[string]enrichment
	if err := yaml.UnmarshalWithOptions(file, &byCode, yaml.DisallowUnknownField()); err != nil {
		return fmt.Errorf("decode enrichment: %s", yaml.FormatError(err, false, false))
	}
	for i := range entries {
		en, ok := byCode[entries[i].Code]
		if !ok {
			continue
		}
		if err := en.check(); err != nil {
			return fmt.Errorf("enrichment for %s: %w", entries[i].Code, err)
		}
		e := &entries[i]
		e.Title, e.Summary, e.Category, e.AutoRetry = en.Title, strings.TrimSpace(en.Summary), en.Category, en.AutoRetry
		e.Steps, e.Links, e.AADSTS, e.ErrorCodes, e.Related = en.Steps, en.Links, en.AADSTS, en.ErrorCodes, en.Related
	}
	return nil
}

// check rejects values that would show badly on a card.
func (en enrichment) check() error {
	if err := checkCategory(en.Category); err != nil {
		return err
	}
	for _, l := range en.Links {
		if err := checkLink(l); err != nil {
			return err
		}
	}
	return nil
}

// categories lists the valid categories.
var categories = []Category{CategoryAgent, CategoryServiceAccount, CategoryService, CategoryConfiguration}

// checkCategory accepts a known category or none (an overlay's new code
// need not have one).
func checkCategory(c Category) error {
	if c == "" || slices.Contains(categories, c) {
		return nil
	}
	return fmt.Errorf("category %q is not one of agent, service-account, service, configuration", c)
}

// checkLink insists on a title and an absolute http(s) URL.
func checkLink(l Link) error {
	if strings.TrimSpace(l.Title) == "" {
		return fmt.Errorf("link %q has no title", l.URL)
	}
	return checkURL(l.URL)
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// localize merges data/localized.yaml ({code: {locale: message}}) into
// entries. Unlike enrichment, an unknown code here is an error: nothing
// regenerates this file, so a wrong key is a typo.
func localize(entries []Entry, file []byte) error {
	var byCode map[string]map[string]string
	if err := yaml.Unmarshal(file, &byCode); err != nil {
		return fmt.Errorf("decode localized messages: %s", yaml.FormatError(err, false, false))
	}
	at := make(map[string]int, len(entries))
	for i, e := range entries {
		at[e.Code] = i
	}
	for code, byLocale := range byCode {
		i, ok := at[code]
		if !ok {
			return fmt.Errorf("localized messages for unknown code %q", code)
		}
		if len(byLocale) == 0 {
			continue
		}
		entries[i].Localized = make(map[string]string, len(byLocale))
		for locale, msg := range byLocale {
			if msg = strings.TrimSpace(msg); msg == "" {
				return fmt.Errorf("localized message for %s in %s is empty", code, locale)
			}
			entries[i].Localized[strings.ToLower(locale)] = msg
		}
	}
	return nil
}
