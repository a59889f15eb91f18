-- code: FP005
-- severity: warning
-- description: a wishlist row repeats a (user_id, product_id) pair already wished for (the surplus copies)
-- hint: keep the earliest row per pair; product_favorites will be unique per user and product
SELECT id, user_id, product_id
FROM (SELECT id, user_id, product_id,
             row_number() OVER (PARTITION BY user_id, product_id ORDER BY created_at, id) AS copy
      FROM wishlists) w
WHERE copy > 1
ORDER BY user_id, product_id
