// Command golden-gen writes ../helm-v2.17.0-golden.txt: protobuf encodings of
// hapi messages produced by Helm v2.17.0's own generated Go types, used by
// tests/golden.rs to prove that helm-proto is wire-compatible with Helm.
//
// It is not part of any build. To run it, put Helm v2.17.0's pkg/proto tree at
// $GOPATH/src/k8s.io/helm/pkg/proto (the gRPC client/server halves of
// tiller.pb.go and rudder.pb.go may be deleted: only the message types are
// used) and github.com/golang/protobuf v1.3 on the GOPATH, then:
//
//	GO111MODULE=off go run . > ../helm-v2.17.0-golden.txt
//
// Each output line is "<label> <standard base64>". The label "release.stored"
// is encoded exactly as Helm's ConfigMap/Secret storage drivers do it
// (pkg/storage/driver/util.go: marshal, gzip at BestCompression, base64).
// Labels starting with "json." hold encoding/json output of the message, as
// `helm status -o json` prints it.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes/any"
	"github.com/golang/protobuf/ptypes/timestamp"

	"k8s.io/helm/pkg/proto/hapi/chart"
	"k8s.io/helm/pkg/proto/hapi/release"
	"k8s.io/helm/pkg/proto/hapi/rudder"
	"k8s.io/helm/pkg/proto/hapi/services"
	"k8s.io/helm/pkg/proto/hapi/version"
)

func ts(sec int64, nanos int32) *timestamp.Timestamp {
	return &timestamp.Timestamp{Seconds: sec, Nanos: nanos}
}

// fullRelease sets every field of every message reachable from Release.
func fullRelease() *release.Release {
	return &release.Release{
		Name: "happy-panda",
		Info: &release.Info{
			Status: &release.Status{
				Code:  release.Status_DEPLOYED,
				Notes: "Thank you for installing demo.\n",
				LastTestSuiteRun: &release.TestSuite{
					StartedAt:   ts(1700000100, 5),
					CompletedAt: ts(1700000160, 0),
					Results: []*release.TestRun{
						{Name: "happy-panda-test", Status: release.TestRun_SUCCESS, StartedAt: ts(1700000101, 0), CompletedAt: ts(1700000159, 999999999)},
						{Name: "happy-panda-smoke", Status: release.TestRun_FAILURE, Info: "pod exited 1", StartedAt: ts(1700000102, 0), CompletedAt: ts(1700000103, 0)},
					},
				},
			},
			FirstDeployed: ts(1699990000, 123456789),
			LastDeployed:  ts(1700000000, 0),
			Description:   "Upgrade complete",
		},
		Chart: &chart.Chart{
			Metadata: &chart.Metadata{
				Name:        "demo",
				Home:        "https://example.org/demo",
				Sources:     []string{"https://github.com/example/demo", "https://mirror.example.org/demo"},
				Version:     "0.3.1",
				Description: "A demo chart",
				Keywords:    []string{"demo", "test"},
				Maintainers: []*chart.Maintainer{
					{Name: "Ada", Email: "ada@example.org", Url: "https://ada.example.org"},
					{Name: "Bob"},
				},
				Engine:        "gotpl",
				Icon:          "https://example.org/icon.png",
				ApiVersion:    "v1",
				Condition:     "demo.enabled",
				Tags:          "front,back",
				AppVersion:    "1.2",
				Deprecated:    true,
				TillerVersion: ">=2.10.0",
				Annotations:   map[string]string{"example.org/owner": "platform"},
				KubeVersion:   ">=1.10.0-0",
			},
			Templates: []*chart.Template{
				{Name: "templates/cm.yaml", Data: []byte("kind: ConfigMap\n")},
				{Name: "templates/_helpers.tpl", Data: []byte{'{', '{', '/', '*', '*', '/', '}', '}', 0x00, 0xff}},
			},
			Dependencies: []*chart.Chart{
				{
					Metadata: &chart.Metadata{Name: "sub", Version: "1.0.0", ApiVersion: "v1"},
					Values:   &chart.Config{Raw: "sub: true\n"},
				},
			},
			Values: &chart.Config{Raw: "replicas: 1\nimage:\n  tag: latest\n"},
			Files: []*any.Any{
				{TypeUrl: "README.md", Value: []byte("# demo\n")},
				{TypeUrl: "files/blob.bin", Value: []byte{0, 1, 2, 0xfe, 0xff}},
			},
		},
		Config:   &chart.Config{Raw: "replicas: 2\nimage:\n  tag: \"1.2\"\n"},
		Manifest: "---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\ndata:\n  greeting: h\u00e9llo\n",
		Hooks: []*release.Hook{
			{
				Name:     "happy-panda-test",
				Kind:     "Pod",
				Path:     "demo/templates/tests/test.yaml",
				Manifest: "kind: Pod\n",
				Events:   []release.Hook_Event{release.Hook_RELEASE_TEST_SUCCESS},
				LastRun:  ts(1700000101, 0),
			},
			{
				Name:           "happy-panda-migrate",
				Kind:           "Job",
				Path:           "demo/templates/job.yaml",
				Manifest:       "kind: Job\n",
				Events:         []release.Hook_Event{release.Hook_PRE_INSTALL, release.Hook_PRE_UPGRADE, release.Hook_CRD_INSTALL},
				Weight:         -5,
				DeletePolicies: []release.Hook_DeletePolicy{release.Hook_BEFORE_HOOK_CREATION, release.Hook_SUCCEEDED, release.Hook_FAILED},
				DeleteTimeout:  600,
			},
		},
		Version:   3,
		Namespace: "team-a",
	}
}

func smallRelease(rev int32) *release.Release {
	return &release.Release{Name: "happy-panda", Version: rev, Namespace: "team-a"}
}

func smallChart() *chart.Chart {
	return &chart.Chart{Metadata: &chart.Metadata{Name: "demo", Version: "0.3.2"}}
}

func must(b []byte, err error) []byte {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return b
}

func main() {
	b64 := base64.StdEncoding
	emit := func(label string, m proto.Message) {
		fmt.Printf("%s %s\n", label, b64.EncodeToString(must(proto.Marshal(m))))
	}

	emitJSON := func(label string, v interface{}) {
		fmt.Printf("json.%s %s\n", label, b64.EncodeToString(must(json.Marshal(v))))
	}

	rel := fullRelease()
	raw := must(proto.Marshal(rel))
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(err)
	}
	w.Write(raw)
	w.Close()
	fmt.Printf("release.stored %s\n", b64.EncodeToString(buf.Bytes()))
	fmt.Printf("release.raw %s\n", b64.EncodeToString(raw))

	emit("tiller.ListReleasesRequest", &services.ListReleasesRequest{
		Limit: 256, Offset: "m", SortBy: services.ListSort_LAST_RELEASED, Filter: "^happy",
		SortOrder: services.ListSort_DESC, Namespace: "team-a",
		StatusCodes: []release.Status_Code{release.Status_DEPLOYED, release.Status_FAILED, release.Status_PENDING_ROLLBACK},
	})
	emit("tiller.ListReleasesResponse", &services.ListReleasesResponse{
		Count: 1, Next: "zebra", Total: 7, Releases: []*release.Release{smallRelease(3)},
	})
	emit("tiller.GetReleaseStatusRequest", &services.GetReleaseStatusRequest{Name: "happy-panda", Version: 2})
	emit("tiller.GetReleaseStatusResponse", &services.GetReleaseStatusResponse{
		Name: "happy-panda",
		Info: &release.Info{
			Status:       &release.Status{Code: release.Status_FAILED, Resources: "==> v1/Pod\nNAME  READY\n", Notes: "n"},
			LastDeployed: ts(1700000000, 0),
			Description:  "Upgrade \"happy-panda\" failed",
		},
		Namespace: "team-a",
	})
	emit("tiller.GetReleaseContentRequest", &services.GetReleaseContentRequest{Name: "happy-panda", Version: 1})
	emit("tiller.GetReleaseContentResponse", &services.GetReleaseContentResponse{Release: smallRelease(1)})
	emit("tiller.UpdateReleaseRequest", &services.UpdateReleaseRequest{
		Name: "happy-panda", Chart: smallChart(), Values: &chart.Config{Raw: "a: 1\n"},
		DryRun: true, DisableHooks: true, Recreate: true, Timeout: 300, ResetValues: true,
		Wait: true, ReuseValues: true, Force: true, Description: "bump", SubNotes: true, CleanupOnFail: true,
	})
	emit("tiller.UpdateReleaseResponse", &services.UpdateReleaseResponse{Release: smallRelease(4)})
	emit("tiller.RollbackReleaseRequest", &services.RollbackReleaseRequest{
		Name: "happy-panda", DryRun: true, DisableHooks: true, Version: 2, Recreate: true,
		Timeout: 300, Wait: true, Force: true, Description: "back", CleanupOnFail: true,
	})
	emit("tiller.RollbackReleaseResponse", &services.RollbackReleaseResponse{Release: smallRelease(5)})
	emit("tiller.InstallReleaseRequest", &services.InstallReleaseRequest{
		Chart: smallChart(), Values: &chart.Config{Raw: "{}\n"}, DryRun: true, Name: "happy-panda",
		DisableHooks: true, Namespace: "team-a", ReuseName: true, Timeout: 300, Wait: true,
		DisableCrdHook: true, Description: "first", SubNotes: true,
	})
	emit("tiller.InstallReleaseResponse", &services.InstallReleaseResponse{Release: smallRelease(1)})
	emit("tiller.UninstallReleaseRequest", &services.UninstallReleaseRequest{
		Name: "happy-panda", DisableHooks: true, Purge: true, Timeout: 300, Description: "bye",
	})
	emit("tiller.UninstallReleaseResponse", &services.UninstallReleaseResponse{
		Release: &release.Release{
			Name: "happy-panda", Version: 5, Namespace: "team-a",
			Info: &release.Info{Status: &release.Status{Code: release.Status_DELETED}, Deleted: ts(1700000500, 42), Description: "Deletion complete"},
		},
		Info: "These resources were kept due to the resource policy:\n[ConfigMap] keep-me\n",
	})
	emit("tiller.GetVersionRequest", &services.GetVersionRequest{})
	emit("tiller.GetVersionResponse", &services.GetVersionResponse{Version: &version.Version{
		SemVer: "v2.17.0", GitCommit: "a690bad98af45b015bd3da1a41f6218b1a451dbe", GitTreeState: "clean",
	}})
	emit("tiller.GetHistoryRequest", &services.GetHistoryRequest{Name: "happy-panda", Max: 256})
	emit("tiller.GetHistoryResponse", &services.GetHistoryResponse{Releases: []*release.Release{smallRelease(2), smallRelease(1)}})
	emit("tiller.TestReleaseRequest", &services.TestReleaseRequest{
		Name: "happy-panda", Timeout: 300, Cleanup: true, Parallel: true, MaxParallel: 4, Logs: true,
	})
	emit("tiller.TestReleaseResponse", &services.TestReleaseResponse{Msg: "PASSED: happy-panda-test", Status: release.TestRun_SUCCESS})

	emit("rudder.VersionReleaseResponse", &rudder.VersionReleaseResponse{Name: "helm-rudder-native", Version: "v2.17.0"})
	emit("rudder.InstallReleaseRequest", &rudder.InstallReleaseRequest{Release: smallRelease(1)})
	emit("rudder.InstallReleaseResponse", &rudder.InstallReleaseResponse{
		Release: smallRelease(1), Result: &rudder.Result{Info: "ok", Log: []string{"created", "ready"}},
	})
	emit("rudder.UpgradeReleaseRequest", &rudder.UpgradeReleaseRequest{
		Current: smallRelease(1), Target: smallRelease(2), Timeout: 60, Wait: true, Recreate: true, Force: true, CleanupOnFail: true,
	})
	emit("rudder.RollbackReleaseRequest", &rudder.RollbackReleaseRequest{
		Current: smallRelease(2), Target: smallRelease(3), Timeout: 60, Wait: true, Recreate: true, Force: true, CleanupOnFail: true,
	})
	emit("rudder.ReleaseStatusResponse", &rudder.ReleaseStatusResponse{
		Release: smallRelease(3), Info: &release.Info{Status: &release.Status{Code: release.Status_PENDING_UPGRADE}},
	})

	emitJSON("Release", fullRelease())
	emitJSON("GetReleaseStatusResponse", &services.GetReleaseStatusResponse{
		Name:      "happy-panda",
		Info:      fullRelease().Info,
		Namespace: "team-a",
	})
	emitJSON("Chart", &chart.Chart{
		Metadata: &chart.Metadata{
			Name:        "odd <chart> & co",
			Annotations: map[string]string{"zeta": "1", "alpha": "2", "mid": "\u2028"},
		},
		Values: &chart.Config{Raw: "a: 1\n", Values: map[string]*chart.Value{"b": {Value: "x"}, "a": {}}},
		Files:  []*any.Any{{TypeUrl: "empty.txt"}, {Value: []byte("no name")}},
	})
	emitJSON("UpdateReleaseRequest", &services.UpdateReleaseRequest{Name: "happy-panda", SubNotes: true, Timeout: 300})
	emitJSON("GetVersionResponse", &services.GetVersionResponse{Version: &version.Version{SemVer: "v2.17.0"}})
	emitJSON("rudder.UpgradeReleaseRequest", &rudder.UpgradeReleaseRequest{
		Current: smallRelease(1), Timeout: 60, Wait: true, CleanupOnFail: true,
	})
	emitJSON("Info.empty", &release.Info{Status: &release.Status{}, Deleted: ts(0, 0)})
}
