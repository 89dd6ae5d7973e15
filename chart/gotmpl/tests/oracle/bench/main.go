// Command bench renders the same synthetic 1,000-template set as the Rust example
// `cargo run --release -p gotmpl --example bench`, with Go's text/template, printing timings
// and writing the output of the first round to the file named by $BENCH_DUMP (if set) so the
// two can be compared byte for byte:
//
//	cd chart/gotmpl/tests/oracle && BENCH_DUMP=/tmp/go.txt go run ./bench
package main

import (
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"
)

func manifest(i int) string {
	return fmt.Sprintf(`{{- define "t%[1]d.name" -}}{{ .Values.name }}-%[1]d{{- end -}}
{{- define "t%[1]d.labels" }}
app: {{ template "t%[1]d.name" . }}
release: {{ .Release.Name }}
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ template "t%[1]d.name" . }}
  labels:
{{- template "t%[1]d.labels" . }}
data:
{{- range $k, $v := .Values.data }}
  {{ $k }}: {{ printf "%%v" $v }}
{{- end }}
{{- if and .Values.enabled (gt .Values.replicas 1.0) }}
  replicas: {{ .Values.replicas }}
{{- else }}
  replicas: one
{{- end }}
{{- with .Values.missing }}
  never: {{ . }}
{{- end }}
  ports: {{ range $i, $p := .Values.ports }}{{ if $i }},{{ end }}{{ $p }}{{ end }}
  big: {{ .Values.big }}
`, i)
}

func main() {
	data := map[string]interface{}{}
	values := map[string]interface{}{"name": "web", "enabled": true, "replicas": 3.0, "big": 1e6}
	ports := []interface{}{}
	for p := 0; p < 8; p++ {
		ports = append(ports, 8000.0+float64(p))
	}
	values["ports"] = ports
	d := map[string]interface{}{}
	for k := 0; k < 10; k++ {
		d[fmt.Sprintf("key%d", k)] = fmt.Sprintf("value %d", k)
	}
	values["data"] = d
	data["Values"] = values
	data["Release"] = map[string]interface{}{"Name": "rel"}
	n := 1000
	texts := make([]string, n)
	for i := range texts {
		texts[i] = manifest(i)
	}
	var all strings.Builder
	defer func() {
		if path := os.Getenv("BENCH_DUMP"); path != "" {
			os.WriteFile(path, []byte(all.String()), 0o644)
		}
	}()
	for round := 0; round < 5; round++ {
		start := time.Now()
		t := template.New("gotpl").Option("missingkey=zero")
		for i, text := range texts {
			template.Must(t.New(fmt.Sprintf("chart/templates/t%d.yaml", i)).Parse(text))
		}
		parsed := time.Since(start)
		start = time.Now()
		total := 0
		for i := range texts {
			var b strings.Builder
			if err := t.ExecuteTemplate(&b, fmt.Sprintf("chart/templates/t%d.yaml", i), data); err != nil {
				panic(err)
			}
			total += b.Len()
			if round == 0 {
				all.WriteString(b.String())
			}
		}
		fmt.Printf("go round %d: parse %.1f ms, execute %.1f ms (%d KiB out)\n", round, parsed.Seconds()*1e3, time.Since(start).Seconds()*1e3, total/1024)
	}
}
