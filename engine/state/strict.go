package state

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// strictJSON checks that b is JSON of exactly the shape of type t before
// encoding/json reads it, because encoding/json forgives what a saved
// workspace must never hold: a missing field becomes its zero value (a key
// without "token" became a session key, and the next save deleted it), a
// null becomes zero ("users": null left an HSM with no users), the last of
// two equal keys wins, a key is matched without regard to case, and
// unknown fields are dropped. Here every field a type writes without
// omitempty must be present, a null is allowed only where Go itself writes
// one (an empty slice or map), keys are unique and known, numbers are
// integers in range, and byte strings are valid base64. The first broken
// rule is named with its path ($.cluster.nodes[0].users[1].name).
func strictJSON(b []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := strictValue(dec, t, "$"); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the document")
	}
	return nil
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

func strictValue(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if tok == nil {
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			return nil
		}
		return fmt.Errorf("%s is null", path)
	}
	if t == rawMessage {
		return skipValue(dec, tok, path)
	}
	switch t.Kind() {
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return fmt.Errorf("%s is not true or false", path)
		}
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return fmt.Errorf("%s is not a string", path)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return fmt.Errorf("%s is not a number", path)
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			return fmt.Errorf("%s is not an integer in range", path)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := tok.(json.Number)
		if !ok {
			return fmt.Errorf("%s is not a number", path)
		}
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			return fmt.Errorf("%s is not a non-negative integer in range", path)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s, ok := tok.(string)
			if !ok {
				return fmt.Errorf("%s is not a base64 string", path)
			}
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				return fmt.Errorf("%s is not valid base64", path)
			}
			return nil
		}
		if tok != json.Delim('[') {
			return fmt.Errorf("%s is not a list", path)
		}
		for i := 0; dec.More(); i++ {
			if err := strictValue(dec, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case reflect.Map:
		if tok != json.Delim('{') {
			return fmt.Errorf("%s is not an object", path)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			k := kt.(string)
			if seen[k] {
				return fmt.Errorf("%s has the key %q twice", path, k)
			}
			seen[k] = true
			if err := mapKey(k, t.Key()); err != nil {
				return fmt.Errorf("%s: key %q %v", path, k, err)
			}
			if err := strictValue(dec, t.Elem(), path+"."+k); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case reflect.Struct:
		if tok != json.Delim('{') {
			return fmt.Errorf("%s is not an object", path)
		}
		fields := jsonFields(t)
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			k := kt.(string)
			if seen[k] {
				return fmt.Errorf("%s has the field %q twice", path, k)
			}
			seen[k] = true
			f, ok := fields.byName[k]
			if !ok {
				return fmt.Errorf("%s has an unknown field %q", path, k)
			}
			if err := strictValue(dec, f.typ, path+"."+k); err != nil {
				return err
			}
		}
		for _, name := range fields.required {
			if !seen[name] {
				return fmt.Errorf("%s has no field %q", path, name)
			}
		}
		_, err = dec.Token()
		return err
	default:
		return fmt.Errorf("%s: no rule for a %v", path, t)
	}
	return nil
}

// mapKey checks a JSON object key against the Go map's key type.
func mapKey(k string, t reflect.Type) error {
	switch t.Kind() {
	case reflect.String:
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(k, 10, t.Bits())
		if err != nil || strconv.FormatInt(n, 10) != k {
			return errors.New("is not an integer")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(k, 10, t.Bits())
		if err != nil || strconv.FormatUint(n, 10) != k {
			return errors.New("is not a non-negative integer")
		}
	default:
		return fmt.Errorf("has no rule for %v", t)
	}
	return nil
}

// skipValue reads past the value that starts with tok, still refusing a
// key given twice in any object inside it.
func skipValue(dec *json.Decoder, tok json.Token, path string) error {
	switch tok {
	case json.Delim('['):
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			if err := skipValue(dec, t, path); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			k := kt.(string)
			if seen[k] {
				return fmt.Errorf("%s has the key %q twice", path, k)
			}
			seen[k] = true
			t, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			if err := skipValue(dec, t, path+"."+k); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	return nil
}

type field struct {
	typ reflect.Type
}

type fieldSet struct {
	byName   map[string]field
	required []string
}

var fieldCache sync.Map // reflect.Type -> *fieldSet

// jsonFields lists a struct's JSON fields as encoding/json writes them;
// those without omitempty are required.
func jsonFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{byName: map[string]field{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fs.byName[name] = field{typ: f.Type}
		if !strings.Contains(","+opts+",", ",omitempty,") {
			fs.required = append(fs.required, name)
		}
	}
	fieldCache.Store(t, fs)
	return fs
}
