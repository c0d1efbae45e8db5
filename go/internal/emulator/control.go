package emulator

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Control is a client of the emulator's /emulator/ API.
type Control struct {
	base   string
	client *http.Client
}

// NewControl makes a client trusting the emulator's CA.
func NewControl(env Env) (*Control, error) {
	base, ok := env["EMULATOR_URL"]
	if !ok {
		return nil, errors.New("EMULATOR_URL is not in the environment file")
	}
	pool := x509.NewCertPool()
	if ca := env["LAKEBASE_CA_FILE"]; ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, err
		}
		pool.AppendCertsFromPEM(pem)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	return &Control{base: base, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}, nil
}

func (c *Control) do(method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("emulator %s: %w", path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if len(data) > 300 {
			data = data[:300]
		}
		return nil, fmt.Errorf("emulator %s answered HTTP %d: %s", path, resp.StatusCode, data)
	}
	return data, nil
}

// Post POSTs body (nil: none) to path, e.g. "/emulator/reset".
func (c *Control) Post(path string, body []byte) error {
	_, err := c.do(http.MethodPost, path, body)
	return err
}

// GetJSON GETs path and decodes the JSON answer.
func (c *Control) GetJSON(path string) (any, error) {
	data, err := c.do(http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("emulator %s: the answer is not JSON", path)
	}
	return v, nil
}
