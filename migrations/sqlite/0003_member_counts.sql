-- Each organization's member count, kept by triggers so that the operator's list does not
-- count a large organization's memberships on every page view.
ALTER TABLE organizations ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;

UPDATE organizations
SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = organizations.id);

CREATE TRIGGER memberships_counted_on_insert AFTER INSERT ON memberships
BEGIN
    UPDATE organizations SET member_count = member_count + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER memberships_counted_on_delete AFTER DELETE ON memberships
BEGIN
    UPDATE organizations SET member_count = member_count - 1 WHERE id = OLD.organization_id;
END;
