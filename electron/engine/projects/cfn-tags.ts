/**
 * CloudFormation's short-form tags (`!Ref`, `!Sub`…) for eemeli/yaml.
 * Reading turns each into its long form (`{Ref: x}`, `{'Fn::Sub': …}`) so one resolver handles both;
 * writing keeps the tagged nodes untouched so the template round-trips.
 */
import { Pair, Scalar, YAMLMap, type CollectionTag, type ScalarTag, type YAMLSeq } from 'yaml';

/** Short tag name → long-form key. */
const LONG_FORM: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  Join: 'Fn::Join',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  ImportValue: 'Fn::ImportValue',
  GetAZs: 'Fn::GetAZs',
  Cidr: 'Fn::Cidr',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
  Transform: 'Fn::Transform',
};

export const INTRINSIC_KEYS = new Set(Object.values(LONG_FORM));

/** Wraps a parsed collection as `{key: collection}`, keeping the nodes so aliases inside still resolve. */
function wrap(key: string, node: YAMLMap | YAMLSeq): YAMLMap {
  const map = new YAMLMap();
  map.items.push(new Pair(new Scalar(key), node));
  return map;
}

function readTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [short, key] of Object.entries(LONG_FORM)) {
    const tag = `!${short}`;
    tags.push({
      tag,
      // `!GetAtt A.B.C` means attribute `B.C` of resource `A`.
      resolve: (str: string) => {
        if (short !== 'GetAtt') return { [key]: str };
        const dot = str.indexOf('.');
        return { [key]: dot < 0 ? [str] : [str.slice(0, dot), str.slice(dot + 1)] };
      },
    } satisfies ScalarTag);
    tags.push({
      tag,
      collection: 'seq',
      resolve: (seq) => wrap(key, seq as YAMLSeq),
    } as CollectionTag);
    tags.push({
      tag,
      collection: 'map',
      resolve: (map) => wrap(key, map as YAMLMap),
    } as CollectionTag);
  }
  return tags;
}

function keepTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const short of Object.keys(LONG_FORM)) {
    const tag = `!${short}`;
    tags.push({ tag, resolve: (str: string) => str } satisfies ScalarTag);
    tags.push({ tag, collection: 'seq', resolve: (seq) => seq } as CollectionTag);
    tags.push({ tag, collection: 'map', resolve: (map) => map } as CollectionTag);
  }
  return tags;
}

/** Tags for loading: short forms become long-form plain objects. */
export const cfnReadTags = readTags();
/** Tags for editing: short forms stay as tagged nodes and print back as written. */
export const cfnKeepTags = keepTags();
