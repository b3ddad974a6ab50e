package shell

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// zipWriter writes a zip archive (APPNOTE 6.3) of stored, uncompressed
// entries: what a folder download needs, without archive/zip and
// compress/flate in the engine. Every entry has the same fixed time, so
// one folder always gives the same bytes.
type zipWriter struct {
	buf     []byte
	central []byte
	entries int
}

// zipTime and zipDate are 2020-01-01 00:00:00 in MS-DOS form.
const (
	zipTime = 0
	zipDate = (2020-1980)<<9 | 1<<5 | 1
)

// add appends a file (or, for a name ending in '/', a folder).
func (z *zipWriter) add(name string, data []byte) error {
	if len(name) > 0xffff || len(data) > 0x7fffffff || len(z.buf) > 0x7fffffff || z.entries == 0xffff {
		return errors.New("zip: too large for a folder download")
	}
	var flags uint16
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			flags = 1 << 11 // the name is UTF-8
			break
		}
	}
	sum := crc32.ChecksumIEEE(data)
	offset := uint32(len(z.buf))
	le := binary.LittleEndian
	z.buf = le.AppendUint32(z.buf, 0x04034b50)
	z.buf = le.AppendUint16(z.buf, 20) // version needed: 2.0
	z.buf = le.AppendUint16(z.buf, flags)
	z.buf = le.AppendUint16(z.buf, 0) // stored
	z.buf = le.AppendUint16(z.buf, zipTime)
	z.buf = le.AppendUint16(z.buf, zipDate)
	z.buf = le.AppendUint32(z.buf, sum)
	z.buf = le.AppendUint32(z.buf, uint32(len(data)))
	z.buf = le.AppendUint32(z.buf, uint32(len(data)))
	z.buf = le.AppendUint16(z.buf, uint16(len(name)))
	z.buf = le.AppendUint16(z.buf, 0) // no extra field
	z.buf = append(z.buf, name...)
	z.buf = append(z.buf, data...)

	mode := uint32(0o100644)
	external := uint32(0)
	if len(name) > 0 && name[len(name)-1] == '/' {
		mode, external = 0o40755, 0x10 // a directory, for MS-DOS too
	}
	c := z.central
	c = le.AppendUint32(c, 0x02014b50)
	c = le.AppendUint16(c, 3<<8|20) // made by Unix, 2.0
	c = le.AppendUint16(c, 20)
	c = le.AppendUint16(c, flags)
	c = le.AppendUint16(c, 0)
	c = le.AppendUint16(c, zipTime)
	c = le.AppendUint16(c, zipDate)
	c = le.AppendUint32(c, sum)
	c = le.AppendUint32(c, uint32(len(data)))
	c = le.AppendUint32(c, uint32(len(data)))
	c = le.AppendUint16(c, uint16(len(name)))
	c = le.AppendUint16(c, 0) // extra
	c = le.AppendUint16(c, 0) // comment
	c = le.AppendUint16(c, 0) // disk
	c = le.AppendUint16(c, 0) // internal attributes
	c = le.AppendUint32(c, mode<<16|external)
	c = le.AppendUint32(c, offset)
	z.central = append(c, name...)
	z.entries++
	return nil
}

// bytes ends the archive with its central directory.
func (z *zipWriter) bytes() []byte {
	le := binary.LittleEndian
	start := uint32(len(z.buf))
	out := append(z.buf, z.central...)
	out = le.AppendUint32(out, 0x06054b50)
	out = le.AppendUint16(out, 0)
	out = le.AppendUint16(out, 0)
	out = le.AppendUint16(out, uint16(z.entries))
	out = le.AppendUint16(out, uint16(z.entries))
	out = le.AppendUint32(out, uint32(len(z.central)))
	out = le.AppendUint32(out, start)
	out = le.AppendUint16(out, 0) // no comment
	return out
}
