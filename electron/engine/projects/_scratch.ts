import { parse, parseDocument } from 'yaml';
import { cfnReadTags, cfnKeepTags } from './cfn-tags';
const src = `# top
A: !Ref X   # c
B: !Sub 'arn:\${AWS::Region}'
C: !Sub
  - 'x-\${Y}'
  - Y: !Ref Z
D: !GetAtt T.Arn
E: !GetAtt [T, Arn]
F: !Join [',', [a, !Ref B]]
G: !If [Cond, !Ref A, !Ref AWS::NoValue]
H: &anc {k: 1}
J: !FindInMap [M, !Ref AWS::Region, K]
K: !GetAZs ''
L: !Equals [!Ref A, "x"]
`;
console.log(JSON.stringify(parse(src, { customTags: cfnReadTags }), null, 1));
const doc = parseDocument(src, { customTags: cfnKeepTags });
console.log(doc.errors, doc.warnings);
console.log(doc.toString() === src ? 'ROUNDTRIP OK' : doc.toString());
