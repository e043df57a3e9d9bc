-- Branding an organization's admins set in their portal: an uploaded logo and a background
-- colour beside the primary colour.

-- The page background of the organization's sign-in, sign-up and invitation pages (#rrggbb).
ALTER TABLE organizations ADD COLUMN background_color TEXT;
-- The version of the uploaded logo: a hash of its bytes, used as its ETag and in the URL the
-- pages reference (/o/{slug}/logo?v=…), so that a new logo shows at once despite the long
-- cache. NULL when there is none; set and cleared with the row below, in one transaction.
ALTER TABLE organizations ADD COLUMN logo_etag TEXT;

-- The uploaded logo itself, in a table of its own: organizations rows are rewritten on every
-- membership change (the member count), and should not carry up to 256 KB each time.
CREATE TABLE organization_logos (
    organization_id  TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    -- Sniffed from the bytes when uploaded: image/png, image/jpeg or image/webp.
    content_type     TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    bytes            BYTEA NOT NULL,
    updated_at       BIGINT NOT NULL
);
