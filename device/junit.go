package device

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mpforge/build"
)

// The JUnit XML that Jenkins' JUnit plugin and GitLab's test reports read
// (the rules the tests check):
//
//   - the root is <testsuites> with tests, failures, errors, skipped and
//     time (seconds, decimal) summed over its suites;
//   - one <testsuite> per board, with name, tests (every case, skipped
//     included), failures, errors, skipped, time and timestamp (ISO 8601);
//   - one <testcase> per script with name (the script's path), classname
//     (the board: Jenkins and GitLab group and label cases by it), file and
//     time;
//   - a case that did not pass has exactly one child: <failure> (raised,
//     sys.exit(non-zero), output differs from .exp, crashed, timed out),
//     <error> (could not run) or <skipped>; failure and error carry message
//     (one line) and type, and the full story as text;
//   - <system-out> holds the script's output (no time stamps), <system-err>
//     a traceback the script printed without failing.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Hostname  string      `xml:"hostname,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
	SystemErr string        `xml:"system-err,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func junitSuiteOf(r *Report, host string) junitSuite {
	suite := junitSuite{
		Name:      r.Target,
		Tests:     len(r.Results),
		Failures:  r.Count(Fail) + r.Count(Timeout),
		Errors:    r.Count(Error),
		Skipped:   r.Count(Skip),
		Time:      seconds(r.Duration),
		Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
		Hostname:  host,
	}
	for _, res := range r.Results {
		c := junitCase{
			Name:      res.Script,
			Classname: r.Target,
			File:      res.Script,
			Time:      seconds(res.Duration),
			SystemOut: res.Stdout,
		}
		switch res.Status {
		case Fail:
			switch {
			case res.Crashed:
				c.Failure = &junitProblem{Message: firstLine(res.Detail), Type: "crash", Text: res.Detail}
			case res.Detail != "":
				c.Failure = &junitProblem{Message: firstLine(res.Detail), Type: "failure", Text: res.Detail}
			default:
				c.Failure = &junitProblem{Message: lastLine(res.Stderr), Type: exceptionType(res.Stderr), Text: res.Stderr}
			}
		case Timeout:
			c.Failure = &junitProblem{Message: "timed out: " + res.Err.Error(), Type: "timeout", Text: res.Stderr}
		case Error:
			c.Error = &junitProblem{Message: res.Err.Error(), Type: "error", Text: res.Stderr}
		case Skip:
			c.Skipped = &junitSkipped{Message: res.Detail}
		}
		if res.Status == Pass || res.Status == Skip {
			c.SystemErr = res.Stderr
		}
		suite.Cases = append(suite.Cases, c)
	}
	return suite
}

// WriteJUnit writes the reports (one per board) as one JUnit XML document.
func WriteJUnit(w io.Writer, reports ...*Report) error {
	doc := junitSuites{Name: "mpforge"}
	host, _ := os.Hostname()
	var total time.Duration
	for _, r := range reports {
		s := junitSuiteOf(r, host)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		total = max(total, r.Duration) // boards run side by side
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJUnitFile writes the reports as JUnit XML to path, atomically.
func WriteJUnitFile(path string, reports ...*Report) error {
	var b strings.Builder
	if err := WriteJUnit(&b, reports...); err != nil {
		return err
	}
	if err := build.WriteFileAtomic(path, []byte(b.String())); err != nil {
		return fmt.Errorf("JUnit report: %w", err)
	}
	return nil
}

// CheckJUnitPath fails early, before any script runs, when the report
// could not be written: its folder must exist and be writable.
func CheckJUnitPath(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("MPFORGE_JUNIT=%s: folder %s: %w (create it first)", path, dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("MPFORGE_JUNIT=%s: %s is not a folder", path, dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("MPFORGE_JUNIT=%s is a folder; give a file name such as %s", path, filepath.Join(path, "report.xml"))
	}
	f, err := os.CreateTemp(dir, ".mpforge-junit-check-*")
	if err != nil {
		return fmt.Errorf("MPFORGE_JUNIT=%s: cannot write in %s: %w", path, dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// firstLine is the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// lastLine is the traceback's last non-empty line, e.g. "ValueError: boom".
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// exceptionType is the exception's class from the traceback's last line.
func exceptionType(s string) string {
	last := lastLine(s)
	if i := strings.IndexByte(last, ':'); i > 0 {
		return last[:i]
	}
	return last
}
