/** Types for images.js (a plain Node script, so CI can run it without a TypeScript loader). */
export declare const LOCAL_IMAGES_JSON: string;
export declare function localImageMap(): Record<string, string>;
export interface LocalImageResult {
  image: string;
  built: boolean;
  size?: number;
}
export declare function ensureLocalImages(options?: {
  log?: (line: string) => void;
}): Promise<{ map: Record<string, string>; results: LocalImageResult[] }>;
