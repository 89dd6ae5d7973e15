// Command oracle prints what go-yaml v2 and ghodss/yaml do with the inputs in ../data, so the
// Rust crate can be tested against the real libraries without Go at test time.
//
// Regenerate (needs Debian's golang-go, golang-gopkg-yaml.v2-dev, golang-github-ghodss-yaml-dev):
//
//	cd chart/goyaml/tests/oracle && GOPATH=/usr/share/gocode GO111MODULE=off go run main.go
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	ghodss "github.com/ghodss/yaml"
	yaml "gopkg.in/yaml.v2"
)

type yamlCase struct {
	Name  string `json:"name"`
	Input string `json:"input"`
}

// typed describes a go-yaml decode result with its Go type, which plain JSON would lose.
func typed(v interface{}) interface{} {
	switch x := v.(type) {
	case nil:
		return map[string]interface{}{"null": true}
	case bool:
		return map[string]interface{}{"bool": x}
	case int:
		return map[string]interface{}{"int": strconv.Itoa(x)}
	case int64:
		return map[string]interface{}{"int": strconv.FormatInt(x, 10)}
	case uint64:
		return map[string]interface{}{"uint": strconv.FormatUint(x, 10)}
	case float64:
		return map[string]interface{}{"float": strconv.FormatFloat(x, 'g', -1, 64)}
	case string:
		if !utf8.ValidString(x) {
			return map[string]interface{}{"bytes": base64.StdEncoding.EncodeToString([]byte(x))}
		}
		return map[string]interface{}{"str": x}
	case []interface{}:
		out := []interface{}{}
		for _, e := range x {
			out = append(out, typed(e))
		}
		return map[string]interface{}{"seq": out}
	case map[interface{}]interface{}:
		type kv struct {
			key string
			k   interface{}
			v   interface{}
		}
		var items []kv
		for k, e := range x {
			tk := typed(k)
			b, _ := json.Marshal(tk)
			items = append(items, kv{string(b), tk, typed(e)})
		}
		sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
		out := []interface{}{}
		for _, it := range items {
			out = append(out, []interface{}{it.k, it.v})
		}
		return map[string]interface{}{"map": out}
	default:
		return map[string]interface{}{"other": fmt.Sprintf("%T", v)}
	}
}

func errOr(err error, ok interface{}) interface{} {
	if err != nil {
		return map[string]interface{}{"error": err.Error()}
	}
	return ok
}

// safely runs f, turning a panic into an error so one odd input cannot stop the run.
func safely(f func() (interface{}, error)) (out interface{}, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// readCases parses the "=== name" separated text format of yaml_cases.txt. A header ending in
// " !nonl" drops the final newline of its body.
func readCases(path string) []yamlCase {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var cases []yamlCase
	var cur *yamlCase
	nonl := false
	flush := func() {
		if cur != nil {
			if nonl {
				cur.Input = strings.TrimSuffix(cur.Input, "\n")
			}
			cases = append(cases, *cur)
		}
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "=== ") {
			flush()
			name := strings.TrimSpace(strings.TrimPrefix(line, "=== "))
			nonl = strings.HasSuffix(name, " !nonl")
			name = strings.TrimSuffix(name, " !nonl")
			cur = &yamlCase{Name: name}
			continue
		}
		if cur != nil {
			cur.Input += line
		}
	}
	flush()
	return cases
}

func decodeAll(in string) (interface{}, error) {
	dec := yaml.NewDecoder(strings.NewReader(in))
	docs := []interface{}{}
	for {
		var v interface{}
		err := dec.Decode(&v)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, typed(v))
	}
}

// mutationCases records ghodss YAMLToJSON for randomly damaged YAML.
func mutationCases() {
	var out []interface{}
	for _, c := range readCases("../data/mutations.txt") {
		rec := map[string]interface{}{"name": c.Name, "input": c.Input}
		j, err := ghodss.YAMLToJSON([]byte(c.Input))
		rec["ghodss"] = errOr(err, string(j))
		out = append(out, rec)
	}
	write("../data/mutations_expected.json", out)
}

func yamlCases() {
	var out []interface{}
	for _, c := range readCases("../data/yaml_cases.txt") {
		rec := map[string]interface{}{"name": c.Name, "input": c.Input}
		var v interface{}
		r, err := safely(func() (interface{}, error) {
			err := yaml.Unmarshal([]byte(c.Input), &v)
			return typed(v), err
		})
		rec["goyaml"] = errOr(err, r)
		if err == nil {
			m, err := safely(func() (interface{}, error) {
				b, err := yaml.Marshal(v)
				return string(b), err
			})
			rec["marshal"] = errOr(err, m)
		}
		docs, err := safely(func() (interface{}, error) { return decodeAll(c.Input) })
		rec["docs"] = errOr(err, docs)
		j, err := ghodss.YAMLToJSON([]byte(c.Input))
		rec["ghodss"] = errOr(err, string(j))
		if err == nil {
			y, err := ghodss.JSONToYAML(j)
			rec["toyaml"] = errOr(err, string(y))
		}
		out = append(out, rec)
	}
	write("../data/yaml_expected.json", out)
}

func emitCases() {
	emitFile("../data/emit_cases.jsonl", "../data/emit_expected.json")
	emitFile("../data/emit_random.jsonl", "../data/emit_random_expected.json")
}

func emitFile(in, outPath string) {
	data, err := os.ReadFile(in)
	if err != nil {
		panic(err)
	}
	var out []interface{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "//") {
			continue
		}
		y, err := ghodss.JSONToYAML([]byte(line))
		out = append(out, map[string]interface{}{"input": line, "output": errOr(err, string(y))})
	}
	write(outPath, out)
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// corpusCases records, for every values.yaml of the shared chart corpus, hashes of what Helm v2
// does with it: ghodss YAMLToJSON, and toYaml of the decoded map (ghodss.Marshal).
func corpusCases() {
	root := os.Getenv("GOYAML_CORPUS")
	if root == "" {
		root = "/work/shared/corpus"
	}
	paths, _ := filepath.Glob(filepath.Join(root, "charts/*/*/values.yaml"))
	sort.Strings(paths)
	var out []interface{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			panic(err)
		}
		rel, _ := filepath.Rel(root, p)
		rec := map[string]interface{}{"path": rel, "input_sha256": sum(data)}
		j, err := ghodss.YAMLToJSON(data)
		if err != nil {
			rec["error"] = err.Error()
		} else {
			rec["json_sha256"] = sum(j)
			var m map[string]interface{}
			if err := ghodss.Unmarshal(data, &m); err != nil {
				rec["error"] = err.Error()
			} else {
				y, err := ghodss.Marshal(m)
				if err != nil {
					rec["toyaml_error"] = err.Error()
				} else {
					rec["toyaml_sha256"] = sum(y)
				}
			}
		}
		out = append(out, rec)
	}
	write("../data/corpus_expected.json", out)
}

var sep = regexp.MustCompile("(?:^|\\s*\n)---\\s*")

// splitManifests is Helm v2's releaseutil.SplitManifests, returning the documents in order.
func splitManifests(bigFile string) []string {
	var res []string
	docs := sep.Split(strings.TrimSpace(bigFile), -1)
	for _, d := range docs {
		if d == "" {
			continue
		}
		res = append(res, strings.TrimSpace(d))
	}
	return res
}

func short(b []byte) string {
	return sum(b)[:16]
}

// manifestCases records, for the CI values files and the rendered manifests of the corpus,
// Helm's split into documents and, per document, short hashes of YAMLToJSON and of toYaml.
func manifestCases() {
	root := os.Getenv("GOYAML_CORPUS")
	if root == "" {
		root = "/work/shared/corpus"
	}
	var paths []string
	for _, pat := range []string{"charts/*/*/ci/*.yaml", "expected/*/*/*.yaml"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	var out []interface{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			panic(err)
		}
		rel, _ := filepath.Rel(root, p)
		var docs []interface{}
		for _, d := range splitManifests(string(data)) {
			rec := map[string]interface{}{"split": short([]byte(d))}
			j, err := ghodss.YAMLToJSON([]byte(d))
			if err != nil {
				rec["error"] = err.Error()
			} else {
				rec["json"] = short(j)
				var m map[string]interface{}
				if err := ghodss.Unmarshal([]byte(d), &m); err == nil {
					y, err := ghodss.Marshal(m)
					if err == nil {
						rec["toyaml"] = short(y)
					}
				}
			}
			docs = append(docs, rec)
		}
		out = append(out, map[string]interface{}{"path": rel, "input_sha256": sum(data), "docs": docs})
	}
	write("../data/manifests_expected.json", out)
}

func write(path string, v interface{}) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}

func main() {
	yamlCases()
	emitCases()
	corpusCases()
	manifestCases()
	mutationCases()
}
