import {
  BucketAlreadyOwnedByYou,
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type Credentials, clientConfig } from "./session";

// us-east-1 is the one region where CreateBucket takes no LocationConstraint.
const LEGACY_REGION = "us-east-1";

/** Where a file the console uploads lives: a bucket of the signed-in key and region. */
export interface Uploaded {
  bucket: string;
  key: string;
  uri: string;
}

export function s3Client(credentials: Credentials): S3Client {
  // Path-style: the bucket names a path on this server, not a host name of its own.
  return new S3Client({ ...clientConfig(credentials), forcePathStyle: true });
}

/** One bucket per key and region, so that jobs read their media from their own region. */
export function consoleBucket(credentials: Credentials): string {
  return `console-${credentials.accessKeyId}-${credentials.region}`.toLowerCase();
}

async function ensureBucket(client: S3Client, credentials: Credentials, bucket: string): Promise<void> {
  const configuration =
    credentials.region === LEGACY_REGION
      ? undefined
      : { LocationConstraint: credentials.region as BucketLocationConstraint };
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: configuration }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
}

/** Puts ``file`` into the console's bucket, under a folder of its own. */
export async function uploadFile(credentials: Credentials, folder: string, file: File): Promise<Uploaded> {
  const client = s3Client(credentials);
  const bucket = consoleBucket(credentials);
  await ensureBucket(client, credentials, bucket);
  const name = file.name.replace(/[^A-Za-z0-9._-]+/g, "_") || "upload";
  const key = `${folder}/${crypto.randomUUID()}/${name}`;
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: new Uint8Array(await file.arrayBuffer()),
      ContentType: file.type || undefined,
    }),
  );
  return { bucket, key, uri: `s3://${bucket}/${key}` };
}
