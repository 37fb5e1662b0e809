package deploy

import (
	"bufio"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/syncerr/syncerr/config"
)

// There is no Docker engine in CI, so these tests read the Dockerfile
// instead of building it: cheap checks that catch the usual drift.

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, …
	args string
}

func readDockerfile(t *testing.T) []instruction {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out     []instruction
		pending string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line = pending + line
		pending = ""
		cmd, args, _ := strings.Cut(line, " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.Join(strings.Fields(args), " ")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func goVersion(t *testing.T) string {
	t.Helper()
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return string(m[1])
}

func TestDockerfile(t *testing.T) {
	ins := readDockerfile(t)
	var froms, runs []string
	last := map[string]string{}
	for _, in := range ins {
		switch in.cmd {
		case "FROM":
			froms = append(froms, in.args)
		case "RUN":
			runs = append(runs, in.args)
		}
		last[in.cmd] = in.args
	}
	if len(froms) != 2 {
		t.Fatalf("FROM lines %q, want a builder and a runtime stage", froms)
	}
	// The builder's Go must be go.mod's: an older one refuses the module,
	// a newer one builds with a toolchain CI never tested.
	want := "golang:" + goVersion(t)
	if img, _, _ := strings.Cut(froms[0], " "); img != want && !strings.HasPrefix(img, want+"-") && !strings.HasPrefix(img, want+".") {
		t.Errorf("builder is %q, want %s (go.mod's go line)", froms[0], want)
	}
	if !strings.HasSuffix(froms[0], " AS build") {
		t.Errorf("builder stage %q is not named build", froms[0])
	}
	if !regexp.MustCompile(`^gcr\.io/distroless/static(-debian\d+)?:nonroot$`).MatchString(froms[1]) {
		t.Errorf("runtime is %q, want distroless/static, nonroot", froms[1])
	}
	build := ""
	for _, r := range runs {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	for _, w := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/syncerr", "-X main.version="} {
		if !strings.Contains(build, w) {
			t.Errorf("go build step %q lacks %s", build, w)
		}
	}
	checks := map[string]string{
		"ENTRYPOINT": `["/syncerr"]`,
		"CMD":        `["serve"]`,
		"USER":       "nonroot:nonroot",
		"COPY":       "--from=build /out/syncerr /syncerr",
	}
	for cmd, want := range checks {
		if last[cmd] != want {
			t.Errorf("last %s is %q, want %q", cmd, last[cmd], want)
		}
	}
	// EXPOSE follows the default of SYNCERR_HTTP_ADDR.
	for _, v := range config.Describe() {
		if v.Name == "SYNCERR_HTTP_ADDR" {
			_, port, _ := net.SplitHostPort(v.Default)
			if last["EXPOSE"] != port {
				t.Errorf("EXPOSE %q, but SYNCERR_HTTP_ADDR defaults to %q", last["EXPOSE"], v.Default)
			}
		}
	}
	if _, ok := last["HEALTHCHECK"]; ok {
		t.Error("distroless has no shell or curl to run a HEALTHCHECK; probe /healthz over HTTP")
	}
}

// TestDockerignoreKeepsBuildInputs: the build context must still hold
// go.mod, go.sum, every Go source file and every file a go:embed names.
func TestDockerignoreKeepsBuildInputs(t *testing.T) {
	raw, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			if strings.HasPrefix(l, "!") {
				t.Fatalf("pattern %q: this test's matcher does not handle exceptions; extend it", l)
			}
			patterns = append(patterns, filepath.Clean(l))
		}
	}
	need := []string{"go.mod", "go.sum"}
	embed := regexp.MustCompile(`(?m)^//go:embed (.+)$`)
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("..", path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		need = append(need, rel)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range embed.FindAllStringSubmatch(string(src), -1) {
			for _, p := range strings.Fields(m[1]) {
				files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), p))
				if len(files) == 0 {
					t.Errorf("%s: go:embed %s matches nothing", rel, p)
				}
				for _, f := range files {
					r, _ := filepath.Rel("..", f)
					need = append(need, r)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range need {
		if p := ignoredBy(f, patterns); p != "" {
			t.Errorf(".dockerignore pattern %q drops %s, which the build needs", p, f)
		}
	}
	if p := ignoredBy("catalog/recognize/bench_test.go", patterns); p == "" {
		t.Error("tests are sent to the builder; the context should stay small")
	}
}

// ignoredBy returns the pattern that excludes path (or one of its
// directories) from the build context, in Docker's syntax: Go's
// filepath.Match plus a leading "**/" for any depth.
func ignoredBy(path string, patterns []string) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		for _, p := range patterns {
			if rest, ok := strings.CutPrefix(p, "**/"); ok {
				if m, _ := filepath.Match(rest, parts[i-1]); m {
					return p
				}
			} else if m, _ := filepath.Match(p, prefix); m {
				return p
			}
		}
	}
	return ""
}
