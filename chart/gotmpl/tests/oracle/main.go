// Command oracle runs Go's text/template over the case table in ../data/cases.jsonl and
// writes what Go produced (output, parse error, exec error) to ../data/expected.jsonl.
//
// Regenerate (needs a Go toolchain; CI does not):
//
//	cd chart/gotmpl/tests/oracle && go run . ../data/cases.jsonl > ../data/expected.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type testCase struct {
	Name string      `json:"name"`
	Tmpl string      `json:"tmpl"`
	Data interface{} `json:"data"`
	Opt  string      `json:"opt"`
	Exec string      `json:"exec"`
}

type result struct {
	Name       string `json:"name"`
	Output     string `json:"output"`
	ParseError string `json:"parse_error,omitempty"`
	ExecError  string `json:"exec_error,omitempty"`
}

// The functions the Rust test registers too, with the same behaviour.
var funcs = template.FuncMap{
	"upper": strings.ToUpper,
	"fail": func(msg string) (string, error) {
		return "", errors.New(msg)
	},
	"intval": func() int { return 42 },
	"tolist": func(args ...interface{}) []interface{} { return args },
	"strs":   func() []string { return []string{"a", "b"} },
	"nilfn":  func() interface{} { return nil },
	"join2":  func(a, b string) string { return a + "-" + b },
	"bytes":  func(s string) []byte { return []byte(s) },
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var c testCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			panic(fmt.Sprintf("%s: %v", line, err))
		}
		r := result{Name: c.Name}
		t := template.New("t").Funcs(funcs)
		if c.Opt != "" {
			t = t.Option(c.Opt)
		}
		if _, err := t.Parse(c.Tmpl); err != nil {
			r.ParseError = err.Error()
		} else {
			var b strings.Builder
			name := c.Exec
			if name == "" {
				name = "t"
			}
			err := t.ExecuteTemplate(&b, name, c.Data)
			r.Output = b.String()
			if err != nil {
				r.ExecError = err.Error()
			}
		}
		enc, _ := json.Marshal(r)
		out.Write(enc)
		out.WriteString("\n")
	}
}
