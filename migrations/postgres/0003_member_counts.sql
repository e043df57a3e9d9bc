-- Each organization's member count, kept by triggers so that the operator's list does not
-- count a large organization's memberships on every page view.
ALTER TABLE organizations ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;

UPDATE organizations
SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = organizations.id);

CREATE FUNCTION count_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE organizations SET member_count = member_count + 1 WHERE id = NEW.organization_id;
        RETURN NEW;
    END IF;
    UPDATE organizations SET member_count = member_count - 1 WHERE id = OLD.organization_id;
    RETURN OLD;
END;
$$;

CREATE TRIGGER memberships_counted AFTER INSERT OR DELETE ON memberships
FOR EACH ROW EXECUTE FUNCTION count_membership();
