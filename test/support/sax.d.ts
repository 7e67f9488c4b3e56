// Minimal types for sax (a dependency of svgo, which Astro brings), used only by the Open311 tests to
// parse XML strictly.
declare module "sax" {
  interface Tag {
    name: string;
    attributes: Record<string, string>;
  }
  interface SAXParser {
    onerror: (e: Error) => void;
    onprocessinginstruction: (pi: { name: string; body: string }) => void;
    onopentag: (tag: Tag) => void;
    ontext: (text: string) => void;
    onclosetag: (name: string) => void;
    write(text: string): SAXParser;
    close(): SAXParser;
  }
  const sax: { parser(strict: boolean, opts?: { trim?: boolean }): SAXParser };
  export default sax;
}
